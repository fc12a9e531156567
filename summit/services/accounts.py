"""Accounts: sign-up, log-in checks, profiles and the verification of claims (R3)."""

from __future__ import annotations

import hmac

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from summit import notifications
from summit.db_utils import parse_id
from summit.extensions import db
from summit.models import ClaimStatus, PriorityClass, User, utcnow
from summit.services import audit
from summit.services.errors import Conflict, Invalid, NotFound

PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hashing method, not a password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _apply_claim(user: User, claim: str, claim_project: str, claim_note: str) -> None:
    """Record what the user claims; a changed claim goes back to the organizers."""
    claim = PriorityClass(claim)
    if claim == PriorityClass.OTHER:
        user.claim, user.claim_project, user.claim_note = claim, "", ""
        user.claim_status = ClaimStatus.NONE
        return
    if claim_project.strip() == "" and claim == PriorityClass.CORE:
        raise Invalid("Say which project you are a core developer of.", field="claim_project")
    changed = (user.claim, user.claim_project) != (claim, claim_project.strip())
    user.claim, user.claim_project = claim, claim_project.strip()
    user.claim_note = claim_note.strip()
    if changed or user.claim_status == ClaimStatus.NONE:
        user.claim_status = ClaimStatus.PENDING


CLAIM_SALT = "summit-claim-account"
CLAIM_MAX_AGE = 3 * 24 * 3600


def _claim_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CLAIM_SALT)


def request_account_claim(email: str) -> None:
    """Mail a link that lets the owner of an imported (password-less) account set a password.

    Says nothing about whether the address is known, so nobody can probe for accounts.
    """
    user = find_by_email(email)
    if user is None or user.password_hash:
        return
    token = _claim_serializer().dumps(user.id)
    link = f"{current_app.config['BASE_URL']}/claim-account/{token}"
    notifications.account_claim_link(user, link)


def claim_account(token: str, password: str) -> User:
    try:
        user_id = _claim_serializer().loads(token, max_age=CLAIM_MAX_AGE)
    except SignatureExpired as exc:
        raise Invalid("This link has expired; ask for a new one.") from exc
    except BadSignature as exc:
        raise Invalid("This link is not valid.") from exc
    user = db.session.get(User, user_id)
    if user is None or user.password_hash:
        raise Conflict("This account was claimed already; log in instead.")
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    return user


def sign_up(
    *,
    name: str,
    email: str,
    password: str,
    affiliation: str = "",
    projects: str = "",
    claim: str = PriorityClass.OTHER,
    claim_project: str = "",
    claim_note: str = "",
) -> User:
    existing = find_by_email(email)
    if existing is not None and not existing.password_hash:
        raise Conflict(
            "Blueprints were imported for this email: claim that account "
            "(Claim account page) to set its password.",
            field="email",
        )
    if existing is not None:
        raise Conflict("An account with this email already exists.", field="email")
    user = User(
        name=name.strip(),
        email=normalise_email(email),
        password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
        affiliation=affiliation.strip(),
        projects=projects.strip(),
        claim=PriorityClass.OTHER,
        claim_status=ClaimStatus.NONE,
        verified_class=PriorityClass.OTHER,
    )
    _apply_claim(user, claim, claim_project, claim_note)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError as exc:  # two sign-ups with one address at once
        raise Conflict("An account with this email already exists.", field="email") from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None or not user.password_hash:
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def update_profile(
    user_id: int,
    *,
    name: str,
    affiliation: str,
    projects: str,
    claim: str,
    claim_project: str,
    claim_note: str = "",
) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    user.name, user.affiliation, user.projects = name.strip(), affiliation.strip(), projects.strip()
    _apply_claim(user, claim, claim_project, claim_note)
    return user


def change_password(user_id: int, current: str, new: str) -> None:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise Invalid("Your current password is not right.", field="current_password")
    user.password_hash = generate_password_hash(new, method=PASSWORD_METHOD)


def pending_claims() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.claim_status == ClaimStatus.PENDING).order_by(User.created_at)
        )
    )


def pending_claim_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.claim_status == ClaimStatus.PENDING)
        )
        or 0
    )


def decide_claim(organizer_id: int, user_id: int, *, verify: bool, note: str = "") -> User:
    """Verify or reject a pending claim. A verified claim becomes the user's class (R3)."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    if user.claim_status != ClaimStatus.PENDING:
        raise Conflict(f"{user.name}'s claim is no longer pending.")
    user.claim_status = ClaimStatus.VERIFIED if verify else ClaimStatus.REJECTED
    user.verified_class = user.claim if verify else PriorityClass.OTHER
    user.verified_at = utcnow()
    user.verified_by_id = organizer_id
    if verify:
        notifications.claim_verified(user, PriorityClass(user.claim))
    else:
        notifications.claim_declined(user, note)
    action = "claim.verify" if verify else "claim.reject"
    detail = f"{PriorityClass(user.claim).label} {user.claim_project}".strip()
    audit.record(organizer_id, action, f"user:{user.id} {user.email}", f"{detail} {note}".strip())
    return user


def make_organizer(email: str) -> User:
    user = find_by_email(email)
    if user is None:
        raise NotFound(f"No account with the email {email}; sign up first.")
    user.is_organizer = True
    audit.record(None, "user.make_organizer", f"user:{user.id} {user.email}")
    return user


def user_by_feed_address(address: str) -> User | None:
    """The owner of a personal calendar address (`User.feed_address`), or None."""
    text_id, _, token = address.partition("-")
    user_id = parse_id(text_id)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(user.feed_token.encode(), token.encode()):
        return None
    return user


def regenerate_feed_token(user_id: int) -> str:
    """A new secret for the personal calendar feed (E1); the old address then answers 404."""
    from summit.models import new_token

    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    user.feed_token = new_token()
    return user.feed_token
