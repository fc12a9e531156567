"""Fixtures: one suite, two databases (TEST_DB=sqlite or postgresql), real SMTP, real Chromium."""

from __future__ import annotations

import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, text
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from config import TestConfig
from summit import create_app
from summit.extensions import db
from summit.models import (
    ClaimStatus,
    Day,
    Event,
    EventKind,
    PriorityClass,
    Room,
    SeatPolicy,
    Summit,
    Track,
    User,
)
from summit.services.summits import slugify, sync_lightning_slots
from tests import pg_server

TEST_DB = os.environ.get("TEST_DB", "sqlite")
PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_report_header() -> str:
    return f"summit database: {TEST_DB}"


def config_for(url: str, **overrides: Any) -> type[TestConfig]:
    return type("BoundTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **overrides})


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg_server.PostgresServer | None]:
    if TEST_DB != "postgresql":
        yield None
        return
    server = pg_server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(postgres: pg_server.PostgresServer | None) -> str | None:
    """On PostgreSQL: one database, migrated once for the whole session."""
    if postgres is None:
        return None
    postgres.run_sql("CREATE DATABASE summit_test")
    url = postgres.url("summit_test")
    from flask_migrate import upgrade

    app = create_app(config_for(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def database_url(pg_url: str | None, tmp_path: Path) -> str:
    # A file, not :memory:, so that threads and a live server share the database.
    return pg_url or f"sqlite:///{tmp_path / 'summit.db'}"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(config_for(database_url))

    @app.before_request
    def each_request_loads_its_own_user() -> None:
        # The test's app context outlives its requests, and Flask-Login caches the user in
        # `g`: without this, a second client would act as whoever logged in last.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)  # Flask-Babel caches the locale there too (I1)

    with app.app_context():
        if TEST_DB != "postgresql":
            db.create_all()
        yield app
        db.session.rollback()
        db.session.remove()
        if TEST_DB == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- factories: they add and flush; the test commits when a request must see the rows ---

_HASH = generate_password_hash(PASSWORD, method="scrypt")
VERIFIED_AT = datetime(2011, 3, 1, tzinfo=UTC)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 1_000_000))

    def make(**overrides: Any) -> User:
        n = next(counter)
        values: dict[str, Any] = {
            "name": f"User {n}",
            "email": f"user{n}@example.org",
            "password_hash": _HASH,
            "claim": PriorityClass.OTHER,
            "claim_status": ClaimStatus.NONE,
            "verified_class": PriorityClass.OTHER,
            "email_verified_at": VERIFIED_AT,
        }
        if overrides.pop("email_verified", True) is False:
            values["email_verified_at"] = None
        verified = overrides.pop("verified", None)
        if verified is not None:
            values.update(
                claim=verified, claim_status=ClaimStatus.VERIFIED, verified_class=verified
            )
        values.update(overrides)
        user = User(**values)
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def make_summit(app: Flask) -> Callable[..., Summit]:
    def make(
        slug: str = "diablo",
        *,
        current: bool = True,
        design_capacity: int = 250,
        design_open: int = 200,
        policy: str = SeatPolicy.REVIEW,
    ) -> Summit:
        summit = Summit(
            name=f"{slug.title()} Design Summit",
            slug=slug,
            venue="Santa Clara",
            timezone="America/Los_Angeles",
            is_current=current,
        )
        db.session.add(summit)
        db.session.add(
            Event(
                summit=summit,
                kind=EventKind.CONFERENCE,
                starts_on=date(2011, 4, 26),
                ends_on=date(2011, 4, 27),
                capacity=1000,
                open_seats=1000,
                confirmed_count=0,
                policy=SeatPolicy.AUTO,
            )
        )
        design = Event(
            summit=summit,
            kind=EventKind.DESIGN_SUMMIT,
            starts_on=date(2011, 4, 27),
            ends_on=date(2011, 4, 29),
            capacity=design_capacity,
            open_seats=design_open,
            confirmed_count=0,
            policy=policy,
        )
        db.session.add(design)
        days = [
            Day(event=design, date=date(2011, 4, d), first_slot=time(9, 0)) for d in (27, 28, 29)
        ]
        db.session.add_all(days)
        for name, capacity in [("Ballroom A", 160), ("Bayshore", 80), ("Winchester", 30)]:
            db.session.add(Room(summit=summit, name=name, slug=slugify(name), capacity=capacity))
        for name, colour in [("Nova", "#c0392b"), ("Swift", "#1f6fb2")]:
            db.session.add(Track(summit=summit, name=name, slug=slugify(name), colour=colour))
        db.session.flush()
        for day in days:
            sync_lightning_slots(day)
        db.session.flush()
        return summit

    return make


def mailed_link(to: str, path: str) -> str:
    """The site-relative link under `path` in the last mail queued for `to`."""
    from summit.models import OutboxEmail

    body = db.session.scalars(
        select(OutboxEmail.body).where(OutboxEmail.to_addr == to).order_by(OutboxEmail.id.desc())
    ).first()
    assert body is not None, f"no mail for {to}"
    match = re.search(rf"http://summit\.test({re.escape(path)}\S+)", body)
    assert match, body
    return match.group(1)


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


# --- a real SMTP server for the mail tests ---


class SmtpCatcher:
    """A real SMTP server on loopback that keeps what it receives; it can go down and up."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.port = _free_port()
        self.controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        catcher = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                catcher.messages.append(envelope)
                return "250 OK"

        # A new controller each time: a stopped one cannot start again.
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpCatcher]:
    catcher = SmtpCatcher()
    catcher.start()
    try:
        yield catcher
    finally:
        catcher.stop()


# --- a live server and Debian's Chromium for the browser tests ---


@pytest.fixture
def live_server(app: Flask, database_url: str) -> Iterator[str]:
    """The app, with CSRF on as in production, served on loopback in a thread."""
    live = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    server = make_server("127.0.0.1", 0, live, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        with live.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Every browser test doubles as a check of the Content-Security-Policy: the pages must
    # never do anything it blocks.
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{TEST_DB}.png"), full_page=True)
        context.close()
    assert not violations, violations


@pytest.fixture
def published(make_summit: Callable[..., Summit], make_user: Callable[..., User]) -> Any:
    """A published summit: six placed sessions, a keynote, a party, a fan with stars and a
    lightning talk (tests/factories.py)."""
    from tests.factories import build_published

    return build_published(make_summit, make_user)
