"""A form fuzzer (issue 12): for every registered route that takes POST, as an anonymous
visitor, an attendee and an organizer, Hypothesis sends garbage values, missing fields,
duplicated fields, file parts and oversized bodies. No answer is a 5xx, and a refused request
(4xx) changes no row.

The routes come from the app's `url_map`, and the field names from every form class, so a
new route or form is fuzzed at once. Bounded: a few examples per role, each sending every
shape of garbage to every POST route.
"""

from __future__ import annotations

import inspect
import io
import itertools
import re
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from summit.extensions import db
from summit.forms import BaseForm
from tests.conftest import login
from tests.test_hostile_input import snapshot
from tests.test_route_tables import url_for_rule

SKIPPED = {"auth.logout"}  # it would end the login the rest of the run needs
EXAMPLES = 2


def form_classes(base: type = BaseForm) -> list[type]:
    found = []
    for sub in base.__subclasses__():
        found += [sub, *form_classes(sub)]
    return found


def fields_of(form: type) -> set[str]:
    names = set()
    for klass in form.__mro__:
        names |= {k for k, v in vars(klass).items() if isinstance(v, UnboundField)}
    return names


def all_forms() -> dict[str, type]:
    """Every form class; called once the app (and with it every forms module) is loaded."""
    return {form.__name__: form for form in form_classes()}


def all_fields() -> list[str]:
    return sorted({"csrf_token"}.union(*(fields_of(f) for f in all_forms().values())))


def route_fields(app: Flask, endpoint: str) -> list[str]:
    """The fields of the forms a view builds (read from its source), so that garbage lands
    in fields the view reads; every field name of the app when none is found."""
    FORMS, FIELDS = all_forms(), all_fields()  # noqa: N806
    source = inspect.getsource(inspect.unwrap(app.view_functions[endpoint]))
    names = set().union(
        *(fields_of(FORMS[n]) for n in re.findall(r"\b(\w+Form)\(", source) if n in FORMS)
    )
    return sorted(names) or FIELDS


garbage = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["", " ", "0", "-1", str(2**31), str(2**63), "1e400", "NaN", "9" * 5000]),
    st.sampled_from(["0001-01-01", "9999-12-31T23:59", "2011-04-27", "25:61", "#zzzzzz"]),
    st.sampled_from(["<script>alert(1)</script>", "'; DROP TABLE summit; --", "a\r\nBcc: x"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def post_rules(app: Flask) -> list[tuple[str, list[str]]]:
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        posts = "POST" in (rule.methods or set()) and not rule.rule.startswith("/api/")
        if posts and rule.endpoint not in SKIPPED:
            urls.append((url_for_rule(rule), route_fields(app, rule.endpoint)))
    return urls


SHAPES = ["form", "multipart", "file", "oversized", "duplicated"]


def request_body(shape: str, fields: list[tuple[str, str]], target: str) -> tuple[Any, Any]:
    if shape == "form":
        return MultiDict(fields), {}
    if shape == "duplicated":
        return MultiDict(fields + fields), {}
    if shape == "oversized":
        return MultiDict([*fields, ("description", "x" * 100_000)]), {}
    data: dict[str, Any] = dict(fields)
    if shape == "file" or not data:
        data[target] = (io.BytesIO(b"not text\x00\xff"), "f.txt")
    return data, {"content_type": "multipart/form-data"}


@pytest.fixture
def world(app: Flask, published) -> Any:
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # an oversized body is cheap to send
    return published


@pytest.mark.parametrize("role", ["anonymous", "attendee", "organizer"])
def test_no_post_route_fails_or_half_writes_on_garbage(app: Flask, world: Any, role: str) -> None:
    client = app.test_client()
    if role == "attendee":
        login(client, world.fan)
    elif role == "organizer":
        login(client, world.organizer)
    urls = post_rules(app)
    assert len(urls) > 40
    FIELDS = all_fields()  # noqa: N806
    assert len(all_forms()) > 25
    seen: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        # No shrinking: an example is a sweep of every route, and the failing request is
        # in the assertion's message already.
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(draw=st.data())
    def fuzz(draw: st.DataObject) -> None:
        # Each example sends one shape of garbage to every POST route, in fields that route
        # reads (and now and then in any field of the app).
        before = snapshot()
        for (url, names), shape in itertools.product(urls, SHAPES):
            name = st.one_of(st.sampled_from(names), st.sampled_from(FIELDS))
            fields = draw.draw(st.lists(st.tuples(name, garbage), max_size=6), label=url)
            target = draw.draw(st.sampled_from(names), label="file field")
            data, kwargs = request_body(shape, fields, target)
            response = client.post(url, data=data, **kwargs)
            seen.append(f"{response.status_code} {shape} {url}")
            assert response.status_code < 500, (url, data, response.get_data(as_text=True)[:500])
            if 400 <= response.status_code < 500:
                db.session.rollback()
                assert snapshot() == before, (url, data, response.status_code)
            else:
                before = snapshot()

    fuzz()
    assert len(seen) >= EXAMPLES * len(urls) * len(SHAPES)
