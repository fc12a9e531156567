"""In Chromium: sign up, log in, see the home page; an organizer adds a room."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from summit.extensions import db
from summit.models import Room, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_up_log_out_log_in_and_see_the_home_page(live_server, page, make_summit) -> None:
    make_summit()
    db.session.commit()
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Full name").fill("Rick Harding")
    page.get_by_label("Email").fill("rick@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-password")
    page.get_by_label("Repeat password").fill("a-long-password")
    page.get_by_label("Affiliation").fill("Canonical")
    page.get_by_label("Contributor claim").select_option("known")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_text("Welcome, Rick Harding").is_visible()
    assert page.get_by_role("heading", name="Diablo Design Summit").is_visible()
    page.get_by_role("button", name="Log out").click()
    assert page.get_by_text("You are logged out").is_visible()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("rick@example.org")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Logged in as Rick Harding").is_visible()
    assert page.locator("#event-design_summit").get_by_text("250").is_visible()
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "rick@example.org"))
    assert user is not None
    assert user.claim_status == "pending"


def test_organizer_adds_a_room(live_server, page, make_summit, make_user) -> None:
    summit = make_summit()
    organizer = make_user(is_organizer=True, email="ttx@example.org")
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(organizer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Organize").click()
    page.get_by_role("link", name=summit.name).click()
    page.get_by_role("link", name="Add a room").click()
    page.get_by_label("Name").fill("Stevens Creek")
    page.get_by_label("Seats").fill("0")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Number must be between 1 and 100000").is_visible()
    page.get_by_label("Seats").fill("60")
    page.get_by_label("Layout").select_option("fishbowl")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Saved.").is_visible()
    assert page.locator("#rooms").get_by_text("Stevens Creek").is_visible()
    db.session.expire_all()
    room = db.session.scalar(select(Room).where(Room.name == "Stevens Creek"))
    assert room is not None
    assert room.capacity == 60
