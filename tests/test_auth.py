"""Accounts: sign up, log in and out, the profile, claims; the security standards of issue 2."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from config import Config, TestConfig
from summit import create_app
from summit.extensions import db
from summit.models import AuditEntry, ClaimStatus, OutboxEmail, PriorityClass, User
from tests.conftest import PASSWORD, config_for, login, mailed_link

SIGNUP = {
    "name": "Vish Ishaya",
    "email": "Vish@Example.org",
    "password": "s3cret-password",
    "confirm": "s3cret-password",
    "affiliation": "Rackspace",
    "projects": "Nova, Glance",
    "claim": "core",
    "claim_project": "Nova",
    "claim_note": "Reviews on Nova since Bexar",
}


CORE_NOVA = {"seen_claim": "core", "seen_project": "Nova"}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def test_a2_sign_up_mails_a_link_and_the_claim_waits_for_it(client: FlaskClient) -> None:
    response = client.post("/signup", data=SIGNUP, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "We sent a mail to vish@example.org" in page
    user = db.session.scalar(select(User).where(User.email == "vish@example.org"))
    assert user is not None
    assert user.password_hash is not None and user.password_hash.startswith("scrypt:")
    assert PASSWORD not in user.password_hash
    assert not user.email_verified
    # The claim is kept but goes to organizers only once the address is verified.
    assert (user.claim, user.claim_status) == (PriorityClass.CORE, ClaimStatus.NONE)
    link = mailed_link("vish@example.org", "/verify/")
    assert "Confirm my address" in client.get(link).get_data(as_text=True)
    confirmed = client.post(link, follow_redirects=True)
    assert "your address is confirmed" in confirmed.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email_verified
    assert (user.claim, user.claim_status) == (PriorityClass.CORE, ClaimStatus.PENDING)
    # R3: a claim alone does not count.
    assert user.priority_class == PriorityClass.OTHER
    profile = client.get("/account").get_data(as_text=True)
    assert "Your class now: <strong>Everyone else</strong>" in profile
    # Single use: the same link again changes nothing and says so.
    again = client.post(link)
    assert again.status_code == 409
    assert "confirmed already" in again.get_data(as_text=True)


def test_a4_sign_up_with_a_taken_email_answers_the_same_and_mails_the_owner(
    client: FlaskClient,
) -> None:
    first = client.post("/signup", data=SIGNUP)
    second = client.post("/signup", data={**SIGNUP, "email": "vish@EXAMPLE.org", "name": "X"})
    assert (first.status_code, first.location) == (second.status_code, second.location)
    assert "already exists" not in client.get("/login").get_data(as_text=True)
    assert user_count() == 1
    subjects = db.session.scalars(
        select(OutboxEmail.subject).where(OutboxEmail.to_addr == "vish@example.org")
    ).all()
    assert subjects == [
        "Confirm your address for Summit",
        "Someone tried to sign up with your address",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Invalid email address"),
        ("password", "short", "between 8 and 128"),
        ("confirm", "different-password", "Passwords differ"),
        ("name", "", "This field is required"),
        ("claim", "superuser", "Not a valid choice"),
    ],
)
def test_sign_up_bad_fields_get_a_message(
    client: FlaskClient, field: str, value: str, message: str
) -> None:
    response = client.post("/signup", data={**SIGNUP, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user_count() == 0


def test_core_claim_needs_a_project(client: FlaskClient) -> None:
    response = client.post("/signup", data={**SIGNUP, "claim_project": ""})
    assert response.status_code == 422
    assert "Say which project" in response.get_data(as_text=True)
    assert user_count() == 0


def test_log_in_wrong_password_and_log_out(client: FlaskClient, make_user) -> None:
    user = make_user(email="jay@example.org")
    db.session.commit()
    bad = client.post("/login", data={"email": "jay@example.org", "password": "nope-nope"})
    assert bad.status_code == 401
    assert "The e-mail address or password is wrong" in bad.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still anonymous
    login(client, user)
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert client.get("/account").status_code == 302


def test_login_required_pages_redirect_to_login_and_back(client: FlaskClient, make_user) -> None:
    user = make_user()
    db.session.commit()
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login?next=%2Faccount" in response.location
    back = client.post("/login?next=/account", data={"email": user.email, "password": PASSWORD})
    assert back.location == "/account"


def test_login_never_redirects_off_site(client: FlaskClient, make_user) -> None:
    user = make_user()
    db.session.commit()
    for target in (
        "https://evil.example/",
        "//evil.example/",
        "javascript:alert(1)",
        "/\\evil.example/",
        "/\tevil",
    ):
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD},
        )
        assert response.location == "/"
        client.post("/logout")


def test_edit_profile_and_changed_claim_goes_back_to_review(client: FlaskClient, make_user) -> None:
    user = make_user(verified=PriorityClass.KNOWN)
    db.session.commit()
    login(client, user)
    response = client.post(
        "/account",
        data={
            "name": "Jay Pipes",
            "affiliation": "Rackspace",
            "projects": "Nova",
            "claim": "core",
            "claim_project": "Nova",
            "claim_note": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Jay Pipes"
    assert user.claim_status == ClaimStatus.PENDING
    # The verified class holds until an organizer decides on the new claim.
    assert user.priority_class == PriorityClass.KNOWN


def test_change_password(client: FlaskClient, make_user) -> None:
    user = make_user()
    db.session.commit()
    login(client, user)
    wrong = client.post(
        "/account/password",
        data={"current_password": "wrong-one", "new_password": "a-new-password"},
    )
    assert wrong.status_code == 422
    assert "current password is wrong" in wrong.get_data(as_text=True)
    ok = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "a-new-password"}
    )
    assert ok.status_code == 302
    client.post("/logout")
    login(client, user, "a-new-password")


def test_organizer_verifies_and_rejects_claims(client: FlaskClient, make_user) -> None:
    organizer = make_user(is_organizer=True)
    core = make_user(
        name="Soren Hansen", claim="core", claim_project="Nova", claim_status=ClaimStatus.PENDING
    )
    known = make_user(name="Ewan Mellor", claim="known", claim_status=ClaimStatus.PENDING)
    db.session.commit()
    login(client, organizer)
    page = client.get("/organizer/claims").get_data(as_text=True)
    assert "Soren Hansen" in page and "Ewan Mellor" in page
    assert (
        client.post(
            f"/organizer/claims/{core.id}", data={"decision": "verify", **CORE_NOVA}
        ).status_code
        == 302
    )
    client.post(
        f"/organizer/claims/{known.id}",
        data={"decision": "reject", "note": "no", "seen_claim": "known", "seen_project": ""},
    )
    db.session.expire_all()
    assert core.priority_class == PriorityClass.CORE
    assert core.claim_status == ClaimStatus.VERIFIED
    assert known.priority_class == PriorityClass.OTHER
    assert known.claim_status == ClaimStatus.REJECTED
    page = client.get("/organizer/claims").get_data(as_text=True)
    assert f"/organizer/claims/{core.id}" not in page
    assert "No claim is waiting" in page
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["claim.verify", "claim.reject"]
    # Deciding twice is refused with a reason, not a crash.
    again = client.post(
        f"/organizer/claims/{core.id}",
        data={"decision": "reject", **CORE_NOVA},
        follow_redirects=True,
    )
    assert "no longer pending" in again.get_data(as_text=True)
    assert core.priority_class == PriorityClass.CORE


@pytest.mark.parametrize(
    "path", ["/organizer/", "/organizer/claims", "/organizer/audit", "/organizer/summits/new"]
)
def test_organizer_pages_answer_403_to_others(client: FlaskClient, make_user, path) -> None:
    user = make_user()
    db.session.commit()
    assert client.get(path).status_code == 302  # anonymous: log in first
    login(client, user)
    response = client.get(path)
    assert response.status_code == 403
    assert "organizers" in response.get_data(as_text=True)
    assert (
        client.post(
            f"/organizer/claims/{user.id}", data={"decision": "verify", **CORE_NOVA}
        ).status_code
        == 403
    )


def test_create_organizer_command(runner, make_user) -> None:
    user = make_user(email="ttx@example.org")
    db.session.commit()
    result = runner.invoke(args=["summit", "create-organizer", "TTX@example.org"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.is_organizer
    new = runner.invoke(
        args=[
            "summit",
            "create-organizer",
            "new@example.org",
            "--name",
            "New Organizer",
            "--password",
            "long-enough-pw",
        ]
    )
    assert new.exit_code == 0, new.output
    created = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert created is not None and created.is_organizer


def test_csrf_is_enforced_when_enabled(database_url: str) -> None:
    app = create_app(config_for(database_url, WTF_CSRF_ENABLED=True))
    with app.app_context():
        db.create_all()
        response = app.test_client().post("/signup", data=SIGNUP)
        assert response.status_code == 400
        assert "Form expired" in response.get_data(as_text=True)
        assert user_count() == 0
        db.session.remove()
        db.engine.dispose()


def test_session_cookie_is_httponly_and_lax(client: FlaskClient, make_user) -> None:
    user = make_user()
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(
        v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert TestConfig.SESSION_COOKIE_HTTPONLY


def test_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-summit/")
    assert response.status_code == 404
    assert "Back to the home page" in response.get_data(as_text=True)


def test_app_factory_without_config_uses_the_instance_database(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setattr(Config, "SECRET_KEY", "a-key-set-in-the-environment")
    app: Flask = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    # What wsgi.py serves: an error is the app's own page, never a propagated traceback.
    assert not app.debug


def test_flask_debug_asks_for_the_development_configuration(monkeypatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setattr(Config, "SECRET_KEY", "a-key-set-in-the-environment")
    assert create_app().debug
