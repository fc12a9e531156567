"""In Chromium: sign up, log in, see the home page; an organizer adds a room; an attendee
registers, waits, and is confirmed by an organizer, and the mail reaches the SMTP server;
blueprints become a merged session that an attendee stars."""

from __future__ import annotations

import re
import threading
from email import message_from_bytes, policy

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from summit import jobs, mail
from summit.extensions import db
from summit.models import DesignSession, Room, User
from tests.conftest import ARTIFACTS, PASSWORD, TEST_DB
from tests.factories import public_copy

pytestmark = pytest.mark.browser


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _link_in_mail(smtp_server, to: str, path: str) -> str:
    for envelope in reversed(smtp_server.messages):
        if envelope.rcpt_tos == [to]:
            message = message_from_bytes(envelope.content, policy=policy.default)
            text = message.get_body(("plain",)).get_content()
            found = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", text)
            if found:
                return found.group(1)
    raise AssertionError(f"no mail to {to} with {path}")


def test_a2_sign_up_confirm_by_the_mailed_link_then_register(
    app, live_server, page, make_summit, smtp_server
) -> None:
    make_summit()
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    page.goto(f"{live_server}/diablo/register")
    page.locator("#register-design_summit").get_by_role("link", name="sign up").click()
    page.get_by_label("Full name").fill("Rick Harding")
    page.get_by_label("Email").fill("rick@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-password")
    page.get_by_label("Repeat password").fill("a-long-password")
    page.get_by_label("Affiliation").fill("Canonical")
    page.get_by_label("Contributor claim").select_option("known")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("We sent a mail to rick@example.org")).to_be_visible()
    mail.send_due(app)
    page.goto(live_server + _link_in_mail(smtp_server, "rick@example.org", "/verify/"))
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("your address is confirmed")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out")).to_be_visible()
    page.goto(f"{live_server}/diablo/register")
    page.locator("#register-design_summit").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("rick@example.org")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Rick Harding")).to_be_visible()
    expect(page).to_have_url(f"{live_server}/diablo/register")
    page.locator("#register-design_summit").get_by_role("button").click()
    expect(page.get_by_text("You are confirmed for the")).to_be_visible()
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "rick@example.org"))
    assert user is not None
    assert user.claim_status == "pending" and user.email_verified


def test_a2_forgotten_password_reset_by_the_mailed_link(
    app, live_server, page, make_user, smtp_server
) -> None:
    make_user(name="Ann Reset", email="ann@example.org")
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("ann@example.org")
    page.get_by_role("button", name="Send me the link").click()
    expect(page.get_by_text("a link to choose a new password is on its way")).to_be_visible()
    mail.send_due(app)
    page.goto(live_server + _link_in_mail(smtp_server, "ann@example.org", "/reset-password/"))
    page.get_by_label("Choose a password").fill("my-new-password")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your new password is set")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("ann@example.org")
    page.get_by_label("Password").fill("my-new-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in as Ann Reset")).to_be_visible()


def test_organizer_adds_a_room(live_server, page, make_summit, make_user) -> None:
    summit = make_summit()
    organizer = make_user(is_organizer=True, email="ttx@example.org")
    db.session.commit()
    _log_in(page, live_server, organizer.email)
    page.get_by_role("link", name="Organize").click()
    page.get_by_role("link", name=summit.name).click()
    page.get_by_role("link", name="Add a room").click()
    page.get_by_label("Name").fill("Stevens Creek")
    page.get_by_label("Seats").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Number must be between 1 and 100000")).to_be_visible()
    page.get_by_label("Seats").fill("60")
    page.get_by_label("Layout").select_option("fishbowl")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.locator("#rooms").get_by_text("Stevens Creek")).to_be_visible()
    db.session.expire_all()
    room = db.session.scalar(select(Room).where(Room.name == "Stevens Creek"))
    assert room is not None
    assert room.capacity == 60


def test_register_wait_and_get_confirmed_by_an_organizer(
    app, live_server, browser, make_summit, make_user, smtp_server
) -> None:
    make_summit(design_capacity=3, design_open=1)
    make_user(name="Ann First", email="ann@example.org")
    make_user(name="Bob Second", email="bob@example.org")
    make_user(name="Org", email="org@example.org", is_organizer=True)
    db.session.commit()
    pages = {}
    try:
        for who in ("ann", "bob", "org"):
            pages[who] = browser.new_context().new_page()
            pages[who].set_default_timeout(10_000)
            _log_in(pages[who], live_server, f"{who}@example.org")
        ann, bob, org = pages["ann"], pages["bob"], pages["org"]
        ann.goto(f"{live_server}/diablo/register")
        ann.get_by_role("button", name="Register for the Design Summit").click()
        expect(ann.get_by_text("You are confirmed for the Design Summit")).to_be_visible()
        bob.goto(f"{live_server}/diablo/register")
        # P5: the card says what the button does once the first-come seats are gone.
        expect(bob.locator("#register-design_summit")).to_contain_text("first-come seats are taken")
        bob.get_by_role("button", name="Join the waiting list").click()
        expect(bob.get_by_text("on the waiting list at position 1")).to_be_visible()
        org.goto(f"{live_server}/organizer/")
        org.get_by_role("link", name="Diablo Design Summit").click()
        org.get_by_role("link", name="waiting list of the Design Summit").click()
        org.get_by_label("Pick Bob Second").check()
        org.get_by_role("button", name="Confirm the ticked entries").click()
        expect(org.get_by_text("Confirmed 1.")).to_be_visible()
        expect(org.locator("#count-confirmed")).to_have_text("2")
        bob.goto(f"{live_server}/my/registrations")
        expect(bob.locator("tr.registration td.status")).to_have_text("confirmed")
        bob.screenshot(path=str(ARTIFACTS / f"registration-confirmed-{TEST_DB}.png"))
    finally:
        for p in pages.values():
            p.context.close()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    mail.send_due(app)
    subjects = {
        (m.rcpt_tos[0], message_from_bytes(m.content)["Subject"]) for m in smtp_server.messages
    }
    assert (
        "bob@example.org",
        "[Diablo Design Summit] Design Summit: your seat is confirmed",
    ) in subjects


def test_blueprints_become_a_merged_session_that_an_attendee_stars(
    live_server, browser, make_summit, make_user
) -> None:
    summit = make_summit()
    make_user(name="Dev One", email="dev@example.org")
    other = make_user(name="Dev Two", email="dev2@example.org")
    make_user(name="Org", email="org@example.org", is_organizer=True)
    make_user(name="Fan", email="fan@example.org")
    db.session.commit()
    from summit.services import blueprints as bps

    nova = next(t for t in summit.tracks if t.name == "Nova")
    for title in ("NIC hotplug for Nova", "Flavor extra specs"):
        bps.submit(
            other.id,
            summit.id,
            track_id=nova.id,
            title=title,
            description="",
            url="",
            length_slots=1,
        )
    db.session.commit()
    pages = {}
    try:
        for who in ("dev", "org", "fan"):
            pages[who] = browser.new_context().new_page()
            pages[who].set_default_timeout(10_000)
            _log_in(pages[who], live_server, f"{who}@example.org")
        dev, org, fan = pages["dev"], pages["org"], pages["fan"]
        dev.goto(f"{live_server}/diablo/blueprints")
        dev.get_by_role("link", name="Submit a blueprint").click()
        dev.get_by_label("Title").fill("Multi-NIC support")
        dev.get_by_label("Track").select_option(label="Nova")
        dev.get_by_label("Description").fill("Several NICs per instance.\nBoth flat and VLAN.")
        dev.get_by_label("Blueprint URL").fill("https://blueprints.launchpad.net/nova/+spec/x")
        dev.get_by_role("button", name="Submit blueprint").click()
        expect(dev.get_by_text("Blueprint saved")).to_be_visible()

        org.goto(f"{live_server}/organizer/summits/{summit.id}/blueprints")
        org.get_by_role("button", name="Accept Multi-NIC support").click()
        expect(org.get_by_text("Accepted: session “Multi-NIC support” created.")).to_be_visible()
        db.session.expire_all()
        target = db.session.scalar(
            select(DesignSession.id).where(DesignSession.title == "Multi-NIC support")
        )
        # The merge field suggests "Nova: Multi-NIC support" and takes its number.
        merge_field = org.get_by_label("Merge NIC hotplug for Nova into session")
        expect(org.locator(f'#merge-targets option[value="{target}"]')).to_have_text(
            "Nova: Multi-NIC support"
        )
        merge_field.fill(str(target))
        org.get_by_role("button", name="Merge NIC hotplug for Nova").click()
        expect(org.get_by_text("Merged into “Multi-NIC support”")).to_be_visible()
        org.get_by_role("button", name="Accept Flavor extra specs").click()
        expect(org.get_by_text("session “Flavor extra specs” created")).to_be_visible()

        fan.goto(f"{live_server}/diablo/sessions")
        item = fan.locator("li.session", has_text="Multi-NIC support")
        expect(item.locator("[data-count]")).to_have_text("0")
        item.get_by_role("button", name="Star Multi-NIC support").click()
        expect(item.locator("[data-count]")).to_have_text("1")
        expect(item.get_by_role("button", name="Starred Multi-NIC support")).to_have_attribute(
            "aria-pressed", "true"
        )
        fan.reload()
        expect(
            fan.locator("li.session", has_text="Multi-NIC support").locator("[data-count]")
        ).to_have_text("1")
        fan.locator("li.session", has_text="Multi-NIC support").get_by_role(
            "link", name="Multi-NIC support"
        ).click()
        expect(fan.get_by_text("NIC hotplug for Nova")).to_be_visible()
        expect(fan.get_by_text("submitted by Dev Two")).to_be_visible()
        fan.screenshot(path=str(ARTIFACTS / f"session-page-{TEST_DB}.png"))
    finally:
        for p in pages.values():
            p.context.close()


def _run_worker_once(app) -> threading.Thread:  # type: ignore[no-untyped-def]
    """The background worker, as `flask summit worker` runs it, in a thread."""

    def work() -> None:
        with app.app_context():
            jobs.run_pending(app)
            db.session.remove()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_schedule_run_watch_lock_move_resolve_publish(
    app, live_server, page, make_summit, make_user
) -> None:
    summit = make_summit()
    organizer = make_user(is_organizer=True, email="org@example.org")
    lead = make_user(name="Lead")
    for i in range(6):
        db.session.add(
            DesignSession(
                summit_id=summit.id,
                track_id=summit.tracks[i % 2].id,
                lead_id=lead.id if i < 3 else organizer.id,
                title=f"Design session {i}",
            )
        )
    db.session.commit()
    _log_in(page, live_server, "org@example.org")
    page.goto(f"{live_server}/organizer/summits/{summit.id}/schedule")
    page.get_by_label("Time limit (seconds)").fill("3")
    page.get_by_role("button", name="Run the solver").click()
    expect(page.locator("#solve-status")).to_have_text("queued")
    worker = _run_worker_once(app)
    # The page polls the job and reloads with the draft when the solver is done.
    expect(page.get_by_role("button", name="Lock Design session 0")).to_be_visible(timeout=30_000)
    worker.join()
    expect(page.locator("#solve-message")).to_contain_text("Solved")
    page.get_by_role("button", name="Lock Design session 0").click()
    expect(page.get_by_text("“Design session 0” locked.")).to_be_visible()
    page.get_by_label("Session", exact=True).select_option(label="Swift: Design session 1")
    page.get_by_label("Day", exact=True).select_option(index=2)
    # The slot picker shows wall-clock times, not numbers.
    expect(page.get_by_label("Slot", exact=True).locator('option[value="7"]')).to_have_text(
        re.compile(r"^\d\d:\d\d")
    )
    page.get_by_label("Slot", exact=True).select_option(value="7")
    page.get_by_label("Room", exact=True).select_option(label="Ballroom A")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved “Design session 1”.")).to_be_visible()
    page.get_by_role("button", name="Run the solver").click()
    worker = _run_worker_once(app)
    expect(page.locator("#solve-status")).to_have_text("done", timeout=30_000)
    worker.join()
    page.get_by_role("link", name="Review changes and publish").click()
    page.get_by_role("button", name="Publish release 1").click()
    expect(page.get_by_text("Published.")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"schedule-draft-{TEST_DB}.png"), full_page=True)
    db.session.expire_all()
    locked = db.session.scalar(
        select(DesignSession).where(DesignSession.title == "Design session 0")
    )
    assert locked is not None
    assert locked.locked
    copy = public_copy(locked)
    assert copy is not None and copy.day_id == locked.day_id


def test_csp_header_is_sent_and_blocks_inline_script(live_server, browser, make_summit) -> None:
    """Our pages run no inline script (every browser test fails on a CSP report); an
    injected one is refused by the browser."""
    make_summit()
    db.session.commit()
    context = browser.new_context()
    page = context.new_page()
    reports: list[str] = []
    page.on("console", lambda m: reports.append(m.text))
    response = page.goto(f"{live_server}/diablo/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert not [r for r in reports if "Content Security Policy" in r]
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected === undefined")
    assert any("Content Security Policy" in r for r in reports)
    context.close()


def test_p5_back_and_submit_never_makes_a_second_blueprint(
    live_server, page, make_summit, make_user
) -> None:
    from summit.models import Blueprint

    make_summit()
    make_user(name="Dev Once", email="once@example.org")
    db.session.commit()
    _log_in(page, live_server, "once@example.org")
    page.goto(f"{live_server}/diablo/blueprints/new")
    page.get_by_label("Title").fill("Only once, please")
    page.get_by_role("button", name="Submit blueprint").click()
    expect(page.get_by_text("Blueprint saved")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Title")).to_have_value("Only once, please")
    page.get_by_role("button", name="Submit blueprint").click()
    expect(page.get_by_text("You have submitted “Only once, please” already")).to_be_visible()
    db.session.expire_all()
    titles = db.session.scalars(select(Blueprint.title)).all()
    assert titles == ["Only once, please"]
