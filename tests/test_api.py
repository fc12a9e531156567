"""E3: the read-only public JSON API under /api/v1 and its OpenAPI document.

Ordinary tests pin the behaviour (filters, pagination, ETag/304, reasons for 400 and 404,
only what is published); then schemathesis fuzzes every operation of the served document
against a published summit and checks each answer against it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from summit import create_app
from summit.api import openapi
from summit.extensions import db
from summit.models import DesignSession, SocialEvent, Summit, User
from summit.services import scheduling
from tests.factories import Published, build_published

API = "/api/v1"


@pytest.fixture
def published(make_summit: Callable[..., Summit], make_user: Callable[..., User]) -> Published:
    """Diablo, published, plus a draft-only session, a cancelled one and a second summit."""
    pub = build_published(make_summit, make_user)
    diablo = pub.summit
    scheduling.set_cancelled(pub.organizer.id, diablo.id, pub.sessions[3].id, True)
    scheduling.publish(pub.organizer.id, diablo.id)
    # Placed in the draft after the publish: not public yet.
    days = diablo.design_days
    nova = next(t for t in diablo.tracks if t.slug == "nova")
    winchester = next(r for r in diablo.rooms if r.slug == "winchester")
    db.session.add(
        DesignSession(
            summit_id=diablo.id,
            track_id=nova.id,
            title="Draft only: not public",
            day_id=days[2].id,
            start_slot=5,
            room_id=winchester.id,
        )
    )
    # Renamed in the draft: the API keeps the published title.
    pub.sessions[1].title = "Swift replication (renamed in the draft)"
    bexar = make_summit("bexar", current=False)
    db.session.add(
        SocialEvent(
            summit_id=bexar.id,
            title="Bexar party",
            starts_at=datetime(2011, 4, 28, 2, 0, tzinfo=UTC),
            place="San Antonio",
        )
    )
    db.session.commit()
    return pub


def get(client: FlaskClient, path: str, **headers: str) -> Any:
    return client.get(API + path, headers=headers)


def titles(body: dict[str, Any]) -> list[str]:
    return [item["title"] for item in body["items"]]


# --- the document validates what the API answers ----------------------------------------


def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one component schema of the served document."""
    document = openapi.document()
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:api", resource)
    return jsonschema.Draft202012Validator(
        {"$ref": f"urn:api#/components/schemas/{name}"},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def test_e3_the_document_is_valid_openapi_3_1(app: Flask, client: FlaskClient) -> None:
    response = get(client, "/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert doc == openapi.document()  # what the schemathesis tests below are built from
    assert doc["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(doc).validate()  # against the OpenAPI 3.1 meta-schema


def test_e3_the_document_lists_every_route_and_nothing_else(app: Flask) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.not_found":
            path = rule.rule.removeprefix(API)
            routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))
    assert routes == set(openapi.document()["paths"])


def test_e3_answers_match_their_schemas(client: FlaskClient, published: Published) -> None:
    cases = {
        "/summits": "SummitList",
        "/summits/diablo": "Summit",
        "/summit": "Summit",
        "/summits/diablo/schedule": "Schedule",
        "/schedule": "Schedule",
        "/summits/diablo/sessions": "SessionPage",
        f"/sessions/{published.sessions[0].id}": "Session",
        "/summits/diablo/rooms": "RoomList",
        "/summits/diablo/tracks": "TrackList",
        "/summits/diablo/lightning-talks": "LightningTalkPage",
        "/summits/diablo/social-events": "SocialEventPage",
        "/summits/bexar/schedule": "Schedule",
    }
    for path, name in cases.items():
        response = get(client, path)
        assert response.status_code == 200, path
        validator(name).validate(response.get_json())
    error = get(client, "/summits/nowhere").get_json()
    validator("Error").validate(error)


# --- what is public -----------------------------------------------------------------------


def test_e3_summits_list_and_the_current_summit(client: FlaskClient, published: Published) -> None:
    body = get(client, "/summits").get_json()
    assert [s["slug"] for s in body["items"]] == ["bexar", "diablo"]  # newest first
    diablo = get(client, "/summits/diablo").get_json()
    assert diablo["current"] is True
    assert diablo["timezone"] == "America/Los_Angeles"
    assert diablo["starts_on"] == "2011-04-26"
    assert diablo["design_summit_days"] == ["2011-04-27", "2011-04-28", "2011-04-29"]
    assert diablo["published_at"] is not None
    assert diablo["links"]["schedule"] == "http://summit.test/api/v1/summits/diablo/schedule"
    assert get(client, "/summit").get_json() == diablo
    assert get(client, "/summits/bexar").get_json()["published_at"] is None


def test_e3_only_the_published_schedule(client: FlaskClient, published: Published) -> None:
    body = get(client, "/summits/diablo/sessions").get_json()
    names = titles(body)
    assert "Draft only: not public" not in names
    assert "Swift auth middleware" not in names  # cancelled after publishing
    assert "Swift replication" in names  # the published title, not the draft's
    assert body["total"] == 5
    cancelled = published.sessions[3].id
    missing = get(client, f"/summits/diablo/sessions/{cancelled}")
    assert missing.status_code == 404
    assert "no published session" in missing.get_json()["error"]
    kinds = Counter(e["kind"] for e in get(client, "/schedule").get_json()["items"])
    assert kinds == {"session": 5, "program": 1, "lightning": 1, "social": 1}


def test_e3_a_session_in_full_with_local_times(client: FlaskClient, published: Published) -> None:
    first = published.sessions[0]
    body = get(client, f"/summits/diablo/sessions/{first.id}").get_json()
    assert body["key"] == f"session-{first.id}"
    assert body["starts_at"] == "2011-04-27T09:00:00-07:00"  # 09:00 in Santa Clara
    assert body["ends_at"] == "2011-04-27T09:40:00-07:00"
    assert body["timezone"] == "America/Los_Angeles"
    assert body["day"] == "2011-04-27"
    assert body["room"] == {"slug": "ballroom-a", "name": "Ballroom A"}
    assert body["track"] == {"slug": "nova", "name": "Nova", "colour": "#c0392b"}
    assert body["people"] == "Lead 0"
    assert [b["title"] for b in body["blueprints"]] == ["Versioned compute API"]
    assert body["url"] == f"http://summit.test/diablo/sessions/{first.id}"
    assert get(client, f"/sessions/{first.id}").get_json() == body  # the current summit
    other = get(client, f"/summits/bexar/sessions/{first.id}")
    assert other.status_code == 404  # a session of another summit


def test_e3_social_events_and_lightning_talks_per_summit(
    client: FlaskClient, published: Published
) -> None:
    assert titles(get(client, "/summits/diablo/social-events").get_json()) == ["Developers' party"]
    assert titles(get(client, "/summits/bexar/social-events").get_json()) == ["Bexar party"]
    talks = get(client, "/lightning-talks").get_json()
    assert titles(talks) == ["Five minutes of Swift"]
    assert talks["items"][0]["people"] == "Fan Favourite"
    rooms = get(client, "/summits/diablo/rooms").get_json()
    assert [r["slug"] for r in rooms["items"]] == ["ballroom-a", "bayshore", "winchester"]
    tracks = get(client, "/tracks").get_json()
    assert [t["slug"] for t in tracks["items"]] == ["nova", "swift"]


# --- filters and pages --------------------------------------------------------------------


def test_e3_filters_by_day_track_and_room(client: FlaskClient, published: Published) -> None:
    day_one = get(client, "/summits/diablo/sessions?day=2011-04-27").get_json()
    assert day_one["total"] == 4
    nova = get(client, "/summits/diablo/sessions?track=nova").get_json()
    assert {s["track"]["slug"] for s in nova["items"]} == {"nova"}
    assert nova["total"] == 3
    both = get(client, "/sessions?track=swift&room=bayshore&day=2011-04-27").get_json()
    assert titles(both) == ["Swift replication", "Swift large objects"]
    schedule = get(client, "/summits/diablo/schedule?day=2011-04-27").get_json()
    assert {e["kind"] for e in schedule["items"]} == {"session", "lightning", "social"}
    # The party starts at 02:00 UTC on the 28th: the evening of the 27th in Santa Clara.
    assert "Developers' party" in titles(schedule)
    in_room = get(client, "/schedule?room=winchester").get_json()
    assert in_room["total"] == 0  # its one session was cancelled
    talks = get(client, "/lightning-talks?day=2011-04-28").get_json()
    assert talks["total"] == 0
    assert get(client, "/sessions?day=2012-01-01").get_json()["total"] == 0


def test_e3_pages_with_links_and_totals(client: FlaskClient, published: Published) -> None:
    first = get(client, "/summits/diablo/sessions?per_page=2&track=nova").get_json()
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (3, 2, 1, 2)
    base = "http://summit.test/api/v1/summits/diablo/sessions"
    assert first["links"] == {
        "self": f"{base}?track=nova&page=1&per_page=2",
        "first": f"{base}?track=nova&page=1&per_page=2",
        "last": f"{base}?track=nova&page=2&per_page=2",
        "prev": None,
        "next": f"{base}?track=nova&page=2&per_page=2",
    }
    second = client.get(first["links"]["next"]).get_json()
    assert len(second["items"]) == 1
    assert second["links"]["next"] is None
    assert second["links"]["prev"] == first["links"]["self"]
    every = titles(first) + titles(second)
    assert len(set(every)) == 3
    beyond = get(client, "/summits/diablo/sessions?page=9").get_json()
    assert beyond["items"] == []
    assert beyond["links"]["prev"].endswith("page=1&per_page=50")
    short = get(client, "/sessions?per_page=1").get_json()
    assert short["links"]["next"] == "http://summit.test/api/v1/sessions?page=2&per_page=1"


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("page=0", "“page” must be a whole number from 1 to 100000"),
        ("page=-1", "“page” must be a whole number"),
        ("page=1.5", "“page” must be a whole number"),
        ("per_page=0", "“per_page” must be a whole number from 1 to 200"),
        ("per_page=201", "“per_page” must be a whole number from 1 to 200"),
        ("per_page=", "“per_page” must be a whole number"),
        ("day=2011-02-30", "“day” must be a date as YYYY-MM-DD"),
        ("day=27/04/2011", "“day” must be a date as YYYY-MM-DD"),
        ("day=20110427", "“day” must be a date as YYYY-MM-DD"),
        ("track=Nova!", "“track” must be a track slug"),
        ("room=", "“room” must be a room slug"),
        ("sort=title", "Unknown query parameter “sort”: it takes day, track, room, page"),
        ("day=2011-04-27&day=2011-04-28", "Give the query parameter “day” once"),
    ],
)
def test_e3_bad_parameters_get_400_with_a_reason(
    client: FlaskClient, published: Published, query: str, reason: str
) -> None:
    response = get(client, f"/summits/diablo/sessions?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert reason in response.get_json()["error"]


def test_e3_resources_without_parameters_refuse_them(
    client: FlaskClient, published: Published
) -> None:
    response = get(client, "/summits/diablo/rooms?page=2")
    assert response.status_code == 400
    assert response.get_json()["error"] == (
        "Unknown query parameter “page”: it takes no query parameters."
    )
    assert get(client, "/lightning-talks?track=nova").status_code == 400


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/summits/nowhere", 404, "No summit has the slug “nowhere”"),
        ("/summits/nowhere/schedule", 404, "No summit has the slug"),
        ("/summits/DIABLO/sessions", 404, "No summit has the slug"),
        ("/summits/diablo/sessions/999999", 404, "has no published session 999999"),
        ("/summits/diablo/sessions?track=glance", 404, "has no track “glance” (its tracks: nova"),
        ("/schedule?room=attic", 404, "has no room “attic” (its rooms: ballroom-a"),
        ("/nothing/here", 404, "No such API resource"),
        ("/summits/diablo/sessions/abc", 404, "No such API resource"),
        ("/", 404, "No such API resource"),
    ],
)
def test_e3_unknown_things_get_404_with_a_reason(
    client: FlaskClient, published: Published, path: str, status: int, reason: str
) -> None:
    response = get(client, path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert reason in response.get_json()["error"]


def test_e3_without_a_current_summit_the_short_paths_say_so(
    client: FlaskClient, make_summit: Callable[..., Summit]
) -> None:
    make_summit("bexar", current=False)
    db.session.commit()
    for path in ("/summit", "/schedule", "/sessions", "/sessions/1", "/rooms", "/tracks"):
        response = get(client, path)
        assert response.status_code == 404
        assert "no current summit" in response.get_json()["error"]
    assert get(client, "/summits").get_json()["total"] == 1


def test_e3_read_only_and_never_html(client: FlaskClient, published: Published) -> None:
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/summits/diablo/sessions")
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert response.get_json() == {
            "error": f"The API is read-only: use GET, not {method.upper()}."
        }
    unknown = client.post(f"{API}/nothing")
    assert unknown.status_code == 404
    assert unknown.mimetype == "application/json"
    head = client.head(f"{API}/schedule")
    assert head.status_code == 200
    assert head.headers["ETag"]
    assert head.data == b""
    options = client.options(f"{API}/summits/diablo/schedule")
    assert options.status_code == 200
    assert options.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.options(f"{API}/nothing").status_code == 404


# --- ETag and 304 -------------------------------------------------------------------------


def test_e3_etag_and_304(client: FlaskClient, published: Published) -> None:
    first = get(client, "/schedule")
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first.headers["Cache-Control"] == "public, no-cache"
    again = get(client, "/schedule", **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert get(client, "/schedule", **{"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert get(client, "/schedule", **{"If-None-Match": "*"}).status_code == 304
    assert get(client, "/schedule", **{"If-None-Match": '"other"'}).status_code == 200
    # Each representation has its own tag: a filter or another resource does not match.
    filtered = get(client, "/schedule?day=2011-04-27", **{"If-None-Match": etag})
    assert filtered.status_code == 200
    # Re-publishing a change gives a new tag, and the old one no longer matches.
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    changed = get(client, "/schedule", **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "Swift replication (renamed in the draft)" in titles(changed.get_json())


def test_e3_every_get_carries_an_etag(client: FlaskClient, published: Published) -> None:
    for path in ("/openapi.json", "/summits", "/summit", "/rooms", "/tracks", "/social-events"):
        response = get(client, path)
        assert response.status_code == 200
        assert get(client, path, **{"If-None-Match": response.headers["ETag"]}).status_code == 304


# --- schemathesis against the served document ---------------------------------------------
#
# The schema is loaded at import time from the same function that serves the document (the
# first test above checks that what is served is exactly this), so that schemathesis makes one
# pytest item per operation. Its lazy `from_fixture` loader would load it from the running app
# instead, but schemathesis 4.32.5 sets `node._nodeid`, which pytest 9.2 no longer has.

EXAMPLES_PER_OPERATION = 15  # fuzzing cases; the coverage phase adds its own on top
MIN_CASES_PER_OPERATION = 12  # x 18 operations: at least 216 cases in all (E3 asks 200)

schema = schemathesis.openapi.from_dict(openapi.document())

REAL_VALUES: dict[str, list[Any]] = {
    "slug": ["diablo", "bexar"],
    "day": ["2011-04-26", "2011-04-27", "2011-04-28", "2011-04-29"],
    "track": ["nova", "swift"],
    "room": ["ballroom-a", "bayshore", "winchester"],
    # build_published()'s sessions; 4 is cancelled and 7 in the draft only: both 404.
    "session_id": [1, 2, 3, 4, 5, 6, 7],
    # Diablo's releases: 1 (the first publication) and 2 (the cancellation); 3 is none.
    "number": [1, 2, 3],
}
WELL_FORMED = {
    "slug": openapi.SUMMIT_SLUG_PATTERN,
    "day": openapi.DATE_PATTERN,
    "track": openapi.SLUG_PATTERN,
    "room": openapi.SLUG_PATTERN,
}


def _well_formed(name: str, value: Any) -> bool:
    if name in ("session_id", "number"):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return isinstance(value, str) and re.fullmatch(WELL_FORMED[name][1:-1], value) is not None


def _swap(values: dict[str, Any] | None) -> st.SearchStrategy[dict[str, Any] | None]:
    """Give each well-formed slug, day, filter or id a fair chance to become a real one, so
    that the fuzzing reaches data and not only 404s. A value that breaks the schema stays,
    so a negative case stays negative."""
    if not values:
        return st.just(values)
    choices: dict[str, st.SearchStrategy[Any]] = {}
    for name, value in values.items():
        if name in REAL_VALUES and _well_formed(name, value):
            choices[name] = st.sampled_from([value, *REAL_VALUES[name]])
        else:
            choices[name] = st.just(value)
    return st.fixed_dictionaries(choices)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    return _swap(path_parameters)


@schema.hook
def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
    return _swap(query)


def test_e3_schemathesis_covers_every_operation_with_enough_cases() -> None:
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) == 22
    assert len(operations) * MIN_CASES_PER_OPERATION >= 200


@pytest.fixture
def fuzz_target(app: Flask, published: Published) -> Iterator[tuple[Flask, Counter[str]]]:
    """The app with Diablo published; counts the cases of one operation."""
    assert [s.id for s in published.sessions] == REAL_VALUES["session_id"][:6]
    seen: Counter[str] = Counter()
    yield app, seen
    assert seen["cases"] >= MIN_CASES_PER_OPERATION, seen


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,  # the same cases on every run, so CI never turns red by chance
    deadline=None,
    # One published summit serves every generated case of an operation: the API is read-only.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_e3_schemathesis(case: Any, fuzz_target: tuple[Flask, Counter[str]]) -> None:
    """No server error; every answer matches its documented status, content type, headers
    and schema; schema-valid input is accepted; invalid input gets a 4xx with a reason."""
    app, seen = fuzz_target
    seen["cases"] += 1
    response = case.call_and_validate(app=app)
    if 400 <= response.status_code < 500:
        assert response.headers["content-type"] == ["application/json"]
        assert response.json()["error"]


def test_e3_unmatched_paths_and_writes_answer_in_json(
    database_url: str, published: Published
) -> None:
    """With CSRF on, as in production: a write is a JSON 405, not the forms' "expired" page;
    a path no route can match (a newline in a slug) is a JSON 404."""
    from tests.conftest import config_for

    live = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    client = live.test_client()
    write = client.post("/api/v1/summits/diablo/sessions")
    assert write.status_code == 405 and write.is_json and write.json["error"]
    odd = client.get("/api/v1/summits/a%0Ab/sessions/-4")
    assert odd.status_code == 404 and odd.is_json and odd.json["error"]
    with live.app_context():
        db.engine.dispose()
