"""Accounts against a hostile user (issue 12): A1 secrets, A2 verified addresses and resets,
A3 revocable logins, A4 throttles and no account enumeration, A5 claims as compare-and-set,
and the security headers."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from sqlalchemy import func, select

from config import Config
from summit import create_app
from summit.extensions import db
from summit.models import ClaimStatus, OutboxEmail, PriorityClass, Registration, User
from summit.secret_key import MissingSecretKey
from summit.services import accounts
from tests.conftest import PASSWORD, config_for, login, mailed_link

ROOT = Path(__file__).resolve().parent.parent


def mails_to(to: str) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(OutboxEmail).where(OutboxEmail.to_addr == to)
        )
        or 0
    )


# --- A1: never a known secret -------------------------------------------------------------


def keyless(tmp_path: Path, **overrides: object) -> type[Config]:
    return type(
        "Keyless",
        (Config,),
        {"SECRET_KEY": None, "INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        | overrides,
    )


def test_a1_without_a_key_or_key_file_the_app_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(MissingSecretKey, match="SUMMIT_SECRET_KEY"):
        create_app(keyless(tmp_path))
    with pytest.raises(MissingSecretKey, match="SUMMIT_SECRET_KEY"):
        create_app(keyless(tmp_path, SECRET_KEY="dev-only-not-secret"))


def test_a1_make_run_writes_its_own_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = create_app(keyless(tmp_path, CREATE_SECRET_KEY_FILE=True))
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app(keyless(tmp_path, CREATE_SECRET_KEY_FILE=True))
    third = create_app(keyless(tmp_path))  # e.g. gunicorn later, beside that file
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == third.config["SECRET_KEY"]


def test_a1_the_key_file_is_never_committed() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "instance/secret_key"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0


def test_a1_loading_wsgi_without_a_key_fails_at_once_naming_the_variable(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SUMMIT_SECRET_KEY", "SUMMIT_CREATE_SECRET"}
    }
    env["SUMMIT_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SUMMIT_SECRET_KEY" in result.stderr


def forged_session(key: str, data: dict[str, object]) -> str:
    forger = Flask("forger")
    forger.secret_key = key
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    assert serializer is not None
    return serializer.dumps(data)


def test_a1_a_cookie_signed_with_another_key_opens_nothing(client: FlaskClient, make_user) -> None:
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login_id = f"{organizer.id}:{organizer.session_token}:{int(time.time())}"
    for key in ("dev-only-not-secret", "another-key-of-enough-length"):
        client.set_cookie("session", forged_session(key, {"_user_id": login_id, "_fresh": True}))
        assert client.get("/organizer/").status_code == 302  # to the log-in page
        client.delete_cookie("session")
        client.set_cookie("remember_token", f"{login_id}|{'0' * 128}")
        assert client.get("/organizer/").status_code == 302
        client.delete_cookie("remember_token")


# --- A2: verified addresses ---------------------------------------------------------------


def sign_up(client: FlaskClient, email: str = "ann@example.org") -> User:
    data = {
        "name": "Ann",
        "email": email,
        "password": "a-long-password",
        "confirm": "a-long-password",
    }
    assert client.post("/signup", data=data).status_code == 302
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def test_a2_an_unverified_account_cannot_register_submit_or_claim(
    client: FlaskClient, make_summit
) -> None:
    make_summit()
    db.session.commit()
    user = sign_up(client)
    login(client, user, "a-long-password")
    refused = client.post("/diablo/register/design_summit")
    assert refused.status_code == 403
    assert "Confirm your email address first" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    new_blueprint = client.post(
        "/diablo/blueprints/new", data={"title": "Mine", "track_id": "1", "description": "x"}
    )
    assert new_blueprint.status_code == 403
    claim = client.post(
        "/account",
        data={"name": "Ann", "claim": "core", "claim_project": "Nova", "claim_note": ""},
    )
    assert claim.status_code == 422
    assert "Confirm your email address before claiming" in claim.get_data(as_text=True)
    db.session.refresh(user)
    assert user.claim_status == ClaimStatus.NONE
    # Once verified, the same person registers.
    client.post(mailed_link(user.email, "/verify/"))
    assert client.post("/diablo/register/design_summit").status_code == 302


def test_a2_signing_up_first_with_someone_elses_address_takes_over_nothing(
    client: FlaskClient, app: Flask, make_summit, make_user
) -> None:
    """The attacker signs up with the victim's address before the blueprints are imported:
    the account stays unverified, so it cannot act on them, and the owner takes it over by
    a reset link that only their mailbox receives; the attacker's logins end."""
    from summit.models import Blueprint

    summit = make_summit()
    db.session.commit()
    attacker = sign_up(client, "victim@example.org")
    login(client, attacker, "a-long-password")
    track = summit.tracks[0]
    blueprint = Blueprint(
        summit_id=summit.id, track_id=track.id, title="Victim's idea", submitter_id=attacker.id
    )
    db.session.add(blueprint)
    db.session.commit()
    withdraw = client.post(f"/diablo/blueprints/{blueprint.id}/withdraw")
    assert withdraw.status_code == 403
    # The owner asks for a reset; the link arrives in their mailbox only.
    owner = app.test_client()
    owner.post("/reset-password", data={"email": "victim@example.org"})
    link = mailed_link("victim@example.org", "/reset-password/")
    done = owner.post(link, data={"password": "the-owners-password"})
    assert done.status_code == 302
    assert client.get("/account").status_code == 302  # the attacker is logged out
    db.session.refresh(attacker)
    assert attacker.email_verified
    assert owner.post(f"/diablo/blueprints/{blueprint.id}/withdraw").status_code == 302


def test_a2_verification_and_reset_links_expire_and_work_once(
    client: FlaskClient, make_user, monkeypatch
) -> None:
    user = make_user(email="old@example.org")
    db.session.commit()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3 * 3600)  # sent three hours ago
    client.post("/reset-password", data={"email": user.email})
    monkeypatch.setattr(time, "time", real_time)
    stale = client.get(mailed_link(user.email, "/reset-password/"))
    assert stale.status_code == 422
    assert "expired" in stale.get_data(as_text=True)

    client.post("/reset-password", data={"email": user.email})
    link = mailed_link(user.email, "/reset-password/")
    assert client.post(link, data={"password": "new-password-1"}).status_code == 302
    again = client.post(link, data={"password": "new-password-2"})
    assert again.status_code == 422
    assert "used already" in again.get_data(as_text=True)
    assert accounts.authenticate(user.email, "new-password-1") is not None
    assert accounts.authenticate(user.email, "new-password-2") is None

    fresh = make_user(email="new@example.org", email_verified=False)
    db.session.commit()
    monkeypatch.setattr(time, "time", lambda: real_time() - 3 * 24 * 3600)
    accounts.queue_verification_mail(fresh)
    db.session.commit()
    monkeypatch.setattr(time, "time", real_time)
    expired = client.post(mailed_link(fresh.email, "/verify/"))
    assert expired.status_code == 422
    assert "expired" in expired.get_data(as_text=True)
    db.session.refresh(fresh)
    assert not fresh.email_verified


def test_a2_resend_verification_mails_a_new_link_to_unverified_accounts_only(
    client: FlaskClient, make_user
) -> None:
    waiting = make_user(email="wait@example.org", email_verified=False)
    done = make_user(email="done@example.org")
    db.session.commit()
    for email in (waiting.email, done.email, "nobody@example.org"):
        response = client.post("/verify", data={"email": email})
        assert response.status_code == 302
    assert (mails_to(waiting.email), mails_to(done.email), mails_to("nobody@example.org")) == (
        1,
        0,
        0,
    )


# --- A3: logins that end ------------------------------------------------------------------


def test_a3_logout_ends_every_session_and_remember_me_of_the_person(app: Flask, make_user) -> None:
    user = make_user()
    db.session.commit()
    laptop, phone = app.test_client(), app.test_client()
    laptop.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    phone.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    stolen = phone.get_cookie("remember_token")
    assert stolen is not None
    assert phone.get("/account").status_code == 200
    laptop.post("/logout")
    assert phone.get("/account").status_code == 302
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen.value)
    assert thief.get("/account").status_code == 302


def test_a3_a_password_change_ends_other_logins_but_not_this_one(app: Flask, make_user) -> None:
    user = make_user()
    db.session.commit()
    mine, other = app.test_client(), app.test_client()
    login(mine, user)
    login(other, user)
    changed = mine.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a-brand-new-one"},
    )
    assert changed.status_code == 302
    assert mine.get("/account").status_code == 200
    assert other.get("/account").status_code == 302


def test_a3_remember_me_expires_on_the_server(app: Flask, make_user) -> None:
    user = make_user()
    db.session.commit()
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remembered = browser.get_cookie("remember_token")
    assert remembered is not None
    later = app.test_client()
    later.set_cookie("remember_token", remembered.value)
    app.config["NOW"] = datetime.now(UTC) + timedelta(days=29)
    assert later.get("/account").status_code == 200
    app.config["NOW"] = datetime.now(UTC) + timedelta(days=31)
    much_later = app.test_client()
    much_later.set_cookie("remember_token", remembered.value)
    assert much_later.get("/account").status_code == 302


def test_a3_login_starts_a_new_session_with_a_new_csrf_token(database_url: str, make_user) -> None:
    user = make_user()
    db.session.commit()
    app = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert before is not None
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        token_before = session["csrf_token"]
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": before.group(1)}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != token_before
    with app.app_context():
        db.engine.dispose()


# --- A4: throttles and no enumeration -----------------------------------------------------


def test_a4_ten_failed_logins_a_minute_then_429_even_for_the_right_password(
    client: FlaskClient, make_user
) -> None:
    user = make_user()
    db.session.commit()
    for _ in range(10):
        bad = client.post("/login", data={"email": user.email, "password": "wrong-password"})
        assert bad.status_code == 401
    blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.get_data(as_text=True)


def test_a4_failed_logins_are_counted_per_account_across_addresses(
    client: FlaskClient, make_user
) -> None:
    user = make_user()
    db.session.commit()
    for n in range(10):
        client.post(
            "/login",
            data={"email": user.email, "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )
    blocked = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.1.1"},
    )
    assert blocked.status_code == 429
    # Another account from a fresh address is not blocked.
    other = make_user()
    db.session.commit()
    fine = client.post(
        "/login",
        data={"email": other.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.2.2"},
    )
    assert fine.status_code == 302


@pytest.mark.parametrize("path", ["/signup", "/reset-password", "/verify", "/claim-account"])
def test_a4_sign_up_reset_and_resend_are_throttled(client: FlaskClient, path: str) -> None:
    data = {"email": "someone@example.org", "name": "S", "password": "x", "confirm": "y"}
    statuses = [client.post(path, data=data).status_code for _ in range(11)]
    assert 429 not in statuses[:10]
    assert statuses[10] == 429


def test_a4_answers_do_not_reveal_whether_an_address_has_an_account(
    client: FlaskClient, make_user, monkeypatch
) -> None:
    known = make_user(email="known@example.org")
    db.session.commit()
    answers = []
    for email in (known.email, "unknown@example.org"):
        reset = client.post("/reset-password", data={"email": email}, follow_redirects=True)
        bad_login = client.post("/login", data={"email": email, "password": "wrong-password"})
        answers.append(
            (
                reset.status_code,
                reset.get_data(as_text=True).replace(email, "EMAIL"),
                bad_login.status_code,
                bad_login.get_data(as_text=True).replace(email, "EMAIL"),
            )
        )
    assert answers[0] == answers[1]
    # The same work for an unknown address: one password hash checked, as for a known one.
    checks: list[str] = []
    real_check = accounts.check_password_hash
    monkeypatch.setattr(
        accounts, "check_password_hash", lambda h, p: checks.append(h) or real_check(h, p)
    )
    accounts.authenticate("unknown@example.org", "anything")
    accounts.authenticate(known.email, "anything")
    assert len(checks) == 2


# --- A5: claims are compare-and-set ------------------------------------------------------


def test_a5_verify_applies_only_to_the_claim_the_organizer_saw(app: Flask, make_user) -> None:
    organizer = make_user(is_organizer=True)
    claimant = make_user(claim="known", claim_status=ClaimStatus.PENDING)
    db.session.commit()
    staff, person = app.test_client(), app.test_client()
    login(staff, organizer)
    login(person, claimant)
    page = staff.get("/organizer/claims").get_data(as_text=True)
    assert 'name="seen_claim" value="known"' in page
    # Meanwhile the person switches the claim to "core".
    person.post(
        "/account",
        data={"name": claimant.name, "claim": "core", "claim_project": "Nova", "claim_note": ""},
    )
    late = staff.post(
        f"/organizer/claims/{claimant.id}",
        data={"decision": "verify", "seen_claim": "known", "seen_project": ""},
    )
    assert late.status_code == 409
    assert "changed the claim since you opened the page" in late.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(User, claimant.id)
    assert again is not None
    assert (again.verified_class, again.claim_status) == (PriorityClass.OTHER, ClaimStatus.PENDING)


# --- headers ------------------------------------------------------------------------------


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_https_deployments_get_hsts_and_secure_cookies(database_url: str, make_user) -> None:
    user = make_user()
    db.session.commit()
    app = create_app(config_for(database_url, HTTPS=True))
    client = app.test_client()
    response = client.post(
        "https://summit.test/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y"},
    )
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    with app.app_context():
        db.engine.dispose()
