"""P5 search: one box finds the summit's published sessions, blueprints and lightning talks,
grouped, with their times and rooms; on SQLite FTS5 and PostgreSQL full-text search."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summit.extensions import db
from summit.models import Blueprint, BlueprintStatus, Summit, User
from summit.services import scheduling, search
from tests.factories import Published


def sections(client: FlaskClient, query: str, slug: str = "diablo") -> dict[str, list[str]]:
    """The titles the results page lists under each heading."""
    response = client.get(f"/{slug}/search", query_string={"q": query})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    out = {}
    for kind in ("sessions", "blueprints", "talks"):
        block = page.split(f'id="hits-{kind}"', 1)[1].split("</section>", 1)[0]
        out[kind] = re.findall(r'translate="no">([^<]+)</a>', block)
    return out


def test_p5_search_finds_sessions_by_title_description_lead_and_track(
    client: FlaskClient, published: Published
) -> None:
    assert "Swift replication" in sections(client, "replication")["sessions"]
    assert sections(client, "About Nova scheduler")["sessions"] == ["Nova scheduler filters"]
    lead = published.leads[3].name  # "Lead 3" leads "Swift auth middleware"
    assert sections(client, lead)["sessions"] == ["Swift auth middleware"]
    # A track's name finds its sessions, and a prefix finds the word (the last one typed).
    by_track = sections(client, "swif")["sessions"]
    assert set(by_track) == {"Swift replication", "Swift auth middleware", "Swift large objects"}
    # Other scripts and accented words, whatever their case.
    for query in ("zürich", "ZÜRICH", "ünïcode für", "東京"):
        assert sections(client, query)["sessions"] == ["Zürich: Ünïcode für alle — 東京"], query


def test_p5_each_session_found_says_its_time_and_room(
    client: FlaskClient, published: Published
) -> None:
    page = client.get("/diablo/search?q=replication").get_data(as_text=True)
    hit = page.split("Swift replication", 1)[1].split("</li>", 1)[0]
    assert "Wed 27 Apr 09:00" in hit  # the first day, 09:00 in Santa Clara, as on the grid
    assert "Bayshore" in hit


def test_p5_search_finds_blueprints_and_lightning_talks_grouped_by_kind(
    client: FlaskClient, published: Published
) -> None:
    found = sections(client, "versioned compute")
    assert found == {"sessions": [], "blueprints": ["Versioned compute API"], "talks": []}
    talks = sections(client, "five minutes")
    assert talks["talks"] == ["Five minutes of Swift"]
    # The speaker's name finds the talk too.
    assert sections(client, published.fan.name)["talks"] == ["Five minutes of Swift"]


def test_p4_search_shows_only_what_was_published(client: FlaskClient, published: Published) -> None:
    session = published.sessions[0]
    session.title = "Secret draft rename"
    db.session.commit()
    assert sections(client, "secret draft")["sessions"] == []
    assert sections(client, "Nova API version")["sessions"] == ["Nova API version two"]
    scheduling.publish(published.organizer.id, published.summit.id)
    db.session.commit()
    assert sections(client, "secret draft")["sessions"] == ["Secret draft rename"]
    # Its description still says "About Nova API version two.": found, by its new title.
    assert sections(client, "Nova API version")["sessions"] == ["Secret draft rename"]


def test_p5_withdrawn_blueprints_and_other_summits_are_not_found(
    client: FlaskClient,
    published: Published,
    make_summit: Callable[..., Summit],
    make_user: Callable[..., User],
) -> None:
    other = make_summit("essex", current=False)
    someone = make_user(name="Someone")
    for summit, title, status in (
        (published.summit, "Withdrawn gadget idea", BlueprintStatus.WITHDRAWN),
        (other, "Essex gadget idea", BlueprintStatus.SUBMITTED),
        (published.summit, "Diablo gadget idea", BlueprintStatus.SUBMITTED),
    ):
        db.session.add(
            Blueprint(
                summit_id=summit.id,
                track_id=summit.tracks[0].id,
                submitter_id=someone.id,
                title=title,
                status=status,
            )
        )
    db.session.commit()
    assert sections(client, "gadget")["blueprints"] == ["Diablo gadget idea"]
    assert sections(client, "gadget", slug="essex")["blueprints"] == ["Essex gadget idea"]


def test_p5_an_edited_or_deleted_blueprint_is_found_by_its_new_words(
    client: FlaskClient, published: Published
) -> None:
    blueprint = db.session.query(Blueprint).one()
    blueprint.title = "Hypervisor plug-ins"
    db.session.commit()
    assert sections(client, "versioned")["blueprints"] == []
    assert sections(client, "hypervisor")["blueprints"] == ["Hypervisor plug-ins"]
    db.session.delete(blueprint)
    db.session.commit()
    assert sections(client, "hypervisor")["blueprints"] == []


def test_p5_query_syntax_is_words_only(client: FlaskClient, published: Published) -> None:
    for query in ['"', "*", "nova OR", "NEAR(", "-nova", "title:nova", "nova & !", "'; --", "()"]:
        response = client.get("/diablo/search", query_string={"q": query})
        assert response.status_code == 200, query
    assert search.terms_of('"Nova" OR* sched:') == ["nova", "or", "sched"]
    page = client.get("/diablo/search?q=%22%2A%28").get_data(as_text=True)
    assert "Type a word or two" in page


def test_p5_many_matches_show_the_first_fifty_and_say_so(
    client: FlaskClient, published: Published, make_user: Callable[..., User]
) -> None:
    someone = make_user(name="Prolific")
    db.session.add_all(
        Blueprint(
            summit_id=published.summit.id,
            track_id=published.summit.tracks[0].id,
            submitter_id=someone.id,
            title=f"Widget number {i}",
        )
        for i in range(search.PER_KIND + 5)
    )
    db.session.commit()
    assert len(sections(client, "widget")["blueprints"]) == search.PER_KIND
    page = client.get("/diablo/search?q=widget").get_data(as_text=True)
    assert "Only the first 50 are shown" in page


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=st.text(max_size=60))
def test_p5_any_query_answers_200(app: Flask, published: Published, query: str) -> None:
    if "\x00" in query:  # refused up front with a 400 (A5), as for every field
        return
    response = app.test_client().get("/diablo/search", query_string={"q": query})
    assert response.status_code == 200, query
