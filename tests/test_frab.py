"""E2: schedule.xml and schedule.json in the frab / C3VOC format, checked against its schemas.

The schemas are copies of voc/schedule's (see tests/data/frab-schema/SOURCE.md)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
import xmlschema
from flask.testing import FlaskClient

from summit.extensions import db
from summit.models import Summit, User
from summit.services import scheduling
from tests.factories import NON_ASCII_TITLE, Built, build_programme

SCHEMAS = Path(__file__).resolve().parent / "data" / "frab-schema"


@pytest.fixture(scope="module")
def xsd() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "schedule.xml.xsd"))


@pytest.fixture(scope="module")
def json_validator() -> jsonschema.Draft6Validator:
    schema = json.loads((SCHEMAS / "schedule.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def built(make_summit: Callable[..., Summit], make_user: Callable[..., User]) -> Built:
    return build_programme(make_summit, make_user)


def get_xml(client: FlaskClient, xsd: xmlschema.XMLSchema, slug: str = "diablo") -> ET.Element:
    response = client.get(f"/{slug}/schedule.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    # The XSD also checks that guid, id and slug are unique across all events.
    xsd.validate(response.data.decode("utf-8"))
    return ET.fromstring(response.data)  # noqa: S314 - our own output, in a test


def get_json(
    client: FlaskClient, validator: jsonschema.Draft6Validator, slug: str = "diablo"
) -> dict[str, Any]:
    response = client.get(f"/{slug}/schedule.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    document = json.loads(response.data)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    return document


def xml_events(root: ET.Element) -> list[ET.Element]:
    return root.findall("./day/room/event")


def json_events(document: dict[str, Any]) -> list[dict[str, Any]]:
    days = document["schedule"]["conference"]["days"]
    return [ev for day in days for events in day["rooms"].values() for ev in events]


def test_e2_schedule_xml_validates_against_the_xsd(
    client: FlaskClient, built: Built, xsd: xmlschema.XMLSchema
) -> None:
    root = get_xml(client, xsd)
    conference = root.find("conference")
    assert conference is not None
    assert conference.findtext("acronym") == "diablo"
    assert conference.findtext("time_zone_name") == "America/Los_Angeles"
    # The keynote on Tuesday and three Design Summit days.
    assert [d.get("date") for d in root.findall("day")] == [
        "2011-04-26",
        "2011-04-27",
        "2011-04-28",
        "2011-04-29",
    ]
    assert [d.get("index") for d in root.findall("day")] == ["1", "2", "3", "4"]
    events = xml_events(root)
    types = {ev.findtext("type") for ev in events}
    assert types == {"discussion", "talk", "lightning_talk", "social"}
    first = next(ev for ev in events if ev.findtext("title") == NON_ASCII_TITLE)
    assert first.findtext("room") == "Ballroom A"
    assert first.findtext("date") == "2011-04-27T09:00:00-07:00"
    assert first.findtext("start") == "09:00"
    assert first.findtext("duration") == "00:40"
    assert first.findtext("track") == "Nova"
    assert first.findtext("url") == f"http://summit.test/diablo/sessions/{built.sessions[0].id}"
    assert [p.text for p in first.findall("persons/person")] == ["Zoë Lead"]
    assert [link.text for link in first.findall("links/link")] == ["Container support"]
    room = root.find("./day/room[@name='Ballroom A']")
    assert room is not None
    uuid.UUID(room.get("guid", ""))


def test_e2_schedule_json_validates_against_the_json_schema(
    client: FlaskClient, built: Built, json_validator: jsonschema.Draft6Validator
) -> None:
    document = get_json(client, json_validator)
    conference = document["schedule"]["conference"]
    assert conference["daysCount"] == len(conference["days"]) == 4
    events = json_events(document)
    assert {ev["type"] for ev in events} == {"discussion", "talk", "lightning_talk", "social"}
    for ev in events:
        # What the schema names but its checker leaves alone without extra packages.
        datetime.fromisoformat(ev["date"])
        datetime.fromisoformat(ev["end"])
        assert ev["url"].startswith("http://summit.test/diablo/")
    first = next(ev for ev in events if ev["title"] == NON_ASCII_TITLE)
    assert first["slug"].startswith(
        f"diablo-session-{built.sessions[0].id}-unicde-facade-"
    )  # ø has no ASCII form
    assert conference["time_zone_name"] == "America/Los_Angeles"
    assert first["persons"][0]["name"] == "Zoë Lead"
    assert first["links"][0]["title"] == "Container support"
    assert [r["name"] for r in conference["rooms"]] == sorted(
        r["name"] for r in conference["rooms"]
    )


def test_e2_guids_are_uuids_stable_across_exports_and_ids_are_unique(
    client: FlaskClient,
    built: Built,
    xsd: xmlschema.XMLSchema,
    json_validator: jsonschema.Draft6Validator,
) -> None:
    root = get_xml(client, xsd)
    before = {ev.findtext("title"): ev.get("guid") for ev in xml_events(root)}
    ids = [ev.get("id") for ev in xml_events(root)]
    # Four sessions, a keynote, a party and two lightning talks: different kinds share record
    # ids (each table counts from 1), their frab ids do not.
    assert len(ids) == len(set(ids)) == 8
    assert built.sessions[0].id == built.keynote.id == built.party.id
    for guid in before.values():
        assert uuid.UUID(guid or "").version == 5

    # Move a session and publish again: every GUID stays.
    moved = built.sessions[1]
    scheduling.move(
        built.organizer.id,
        built.summit.id,
        moved.id,
        day_id=built.summit.design_days[2].id,
        slot=6,
        room_id=built.summit.rooms[1].id,
    )
    scheduling.publish(built.organizer.id, built.summit.id)
    db.session.commit()
    after = {ev.findtext("title"): ev.get("guid") for ev in xml_events(get_xml(client, xsd))}
    assert after == before

    # JSON and XML name the same events by the same GUIDs and ids.
    events = json_events(get_json(client, json_validator))
    assert {ev["title"]: ev["guid"] for ev in events} == before
    assert sorted(str(ev["id"]) for ev in events) == sorted(i or "" for i in ids)


def test_e2_cancelled_sessions_are_left_out(
    client: FlaskClient,
    built: Built,
    xsd: xmlschema.XMLSchema,
    json_validator: jsonschema.Draft6Validator,
) -> None:
    scheduling.set_cancelled(built.organizer.id, built.summit.id, built.sessions[2].id, True)
    scheduling.publish(built.organizer.id, built.summit.id)
    db.session.commit()
    titles = {ev.findtext("title") for ev in xml_events(get_xml(client, xsd))}
    assert "Swift replication" not in titles
    assert "Swift large objects" in titles
    assert "Swift replication" not in {
        ev["title"] for ev in json_events(get_json(client, json_validator))
    }


def test_e2_etag_and_304(client: FlaskClient, built: Built) -> None:
    for url in ("/diablo/schedule.xml", "/diablo/schedule.json"):
        first = client.get(url)
        etag = first.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert client.get(url).data == first.data
    assert client.get("/nowhere/schedule.xml").status_code == 404


def test_e2_awkward_names_and_text_still_validate(
    client: FlaskClient,
    make_summit: Callable[..., Summit],
    make_user: Callable[..., User],
    xsd: xmlschema.XMLSchema,
    json_validator: jsonschema.Draft6Validator,
) -> None:
    built = build_programme(make_summit, make_user)
    summit = built.summit
    summit.slug = "ab"  # shorter than the schemas' acronym
    summit.name = "A <summit> & “friends”"
    summit.rooms[0].name = "X"  # a one-letter slug, which the JSON schema refuses
    summit.tracks[0].slug = "2fa"  # a track slug that starts with a digit (the XSD refuses it)
    summit.timezone = "Etc/GMT-3"  # a real zone that the JSON schema's pattern refuses
    built.sessions[0].description = "Bell\x07, form feed\x0c & <b>tags</b>\r\nnext line"
    built.party.title = "!!!"  # nothing left to slug
    scheduling.publish(built.organizer.id, summit.id)
    db.session.commit()
    root = get_xml(client, xsd, "ab")
    assert root.findtext("conference/acronym") == "ab__"
    first = next(ev for ev in xml_events(root) if ev.findtext("title") == NON_ASCII_TITLE)
    assert first.findtext("description") == "Bell, form feed & <b>tags</b>\nnext line"
    assert first.findtext("date") == "2011-04-27T09:00:00+03:00"
    assert root.findtext("conference/time_zone_name") == "Etc/GMT-3"
    assert "time_zone_name" not in get_json(client, json_validator, "ab")["schedule"]["conference"]


def test_e2_a_summit_with_nothing_published_is_still_valid(
    client: FlaskClient,
    make_summit: Callable[..., Summit],
    xsd: xmlschema.XMLSchema,
    json_validator: jsonschema.Draft6Validator,
) -> None:
    make_summit()
    db.session.commit()
    assert xml_events(get_xml(client, xsd)) == []
    assert json_events(get_json(client, json_validator)) == []
