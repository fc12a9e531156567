"""Accounts: sign-up, log-in checks, profiles and the verification of claims (R3)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from summit import notifications
from summit.db_utils import parse_id
from summit.extensions import db
from summit.i18n import LOCALES
from summit.models import ClaimStatus, PriorityClass, User, new_token, utcnow
from summit.services import audit
from summit.services.errors import Conflict, Invalid, NotFound

PASSWORD_METHOD = "scrypt"  # noqa: S105 - a hashing method, not a password


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def _apply_claim(
    user: User, claim: str, claim_project: str, claim_note: str, *, check_verified: bool = True
) -> None:
    """Record what the user claims; a changed claim goes back to the organizers.
    Only a verified address may claim a class (A2); at sign-up the claim waits for it."""
    claim = PriorityClass(claim)
    if claim == PriorityClass.OTHER:
        user.claim, user.claim_project, user.claim_note = claim, "", ""
        user.claim_status = ClaimStatus.NONE
        return
    if claim_project.strip() == "" and claim == PriorityClass.CORE:
        raise Invalid(_("Say which project you are a core developer of."), field="claim_project")
    changed = (user.claim, user.claim_project) != (claim, claim_project.strip())
    if changed and check_verified and not user.email_verified:
        raise Invalid(_("Confirm your email address before claiming a class."), field="claim")
    user.claim, user.claim_project = claim, claim_project.strip()
    user.claim_note = claim_note.strip()
    if not user.email_verified:
        user.claim_status = ClaimStatus.NONE
    elif changed or user.claim_status == ClaimStatus.NONE:
        user.claim_status = ClaimStatus.PENDING


CLAIM_SALT = "summit-claim-account"
CLAIM_MAX_AGE = 3 * 24 * 3600
VERIFY_SALT = "summit-verify-email"
RESET_SALT = "summit-password-reset"
# A4: unknown addresses cost the same hash as known ones, so timing tells nothing.
_DUMMY_HASH = generate_password_hash("not-anyones-password", method=PASSWORD_METHOD)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _claim_serializer() -> URLSafeTimedSerializer:
    return _serializer(CLAIM_SALT)


def _link(path: str) -> str:
    return f"{current_app.config['BASE_URL']}{path}"


def _state_fingerprint(user: User) -> str:
    """Changes whenever the password or the logins change: a reset link works once."""
    state = f"{user.password_hash or ''}|{user.session_token}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, state, hashlib.sha256).hexdigest()[:24]


def request_account_claim(email: str) -> None:
    """Mail a link that lets the owner of an imported (password-less) account set a password.

    Says nothing about whether the address is known, so nobody can probe for accounts.
    """
    user = find_by_email(email)
    if user is None or user.password_hash:
        return
    _queue_claim_mail(user)


def _queue_claim_mail(user: User) -> None:
    token = _claim_serializer().dumps(user.id)
    notifications.account_claim_link(user, _link("/claim-account/" + token))


def claim_account(token: str, password: str) -> User:
    try:
        user_id = _claim_serializer().loads(token, max_age=CLAIM_MAX_AGE)
    except SignatureExpired as exc:
        raise Invalid(_("This link has expired; ask for a new one.")) from exc
    except BadSignature as exc:
        raise Invalid(_("This link is not valid.")) from exc
    user = db.session.get(User, user_id)
    if user is None or user.password_hash:
        raise Conflict(_("This account was claimed already; log in instead."))
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    # The link came to the address's mailbox: the address is the owner's (A2).
    user.email_verified_at = user.email_verified_at or utcnow()
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
) -> User | None:
    """A new, unverified account and its verification mail; None when the address is taken.

    The caller answers the same either way (A4): the owner of a taken address gets a mail
    instead (a claim link for an imported account, a reset link otherwise).
    """
    password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    existing = find_by_email(email)
    if existing is not None:
        if existing.password_hash:
            _queue_taken_mail(existing)
        else:
            _queue_claim_mail(existing)
        return None
    user = User(
        name=name.strip(),
        email=normalise_email(email),
        password_hash=password_hash,
        affiliation=affiliation.strip(),
        projects=projects.strip(),
        claim=PriorityClass.OTHER,
        claim_status=ClaimStatus.NONE,
        verified_class=PriorityClass.OTHER,
        session_token=new_token(),
    )
    # A claim is kept as said, and goes to organizers once the address is verified.
    _apply_claim(user, claim, claim_project, claim_note, check_verified=False)
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # two sign-ups with one address at once: the first one wins
        return None
    queue_verification_mail(user)
    return user


def _queue_taken_mail(user: User) -> None:
    token = _serializer(RESET_SALT).dumps({"u": user.id, "f": _state_fingerprint(user)})
    notifications.address_taken(
        user, _link("/reset-password/" + token), current_app.config["RESET_LINK_HOURS"]
    )


def queue_verification_mail(user: User) -> None:
    token = _serializer(VERIFY_SALT).dumps({"u": user.id, "e": user.email})
    notifications.address_verify(
        user, _link("/verify/" + token), current_app.config["VERIFY_LINK_HOURS"]
    )


def resend_verification(email: str) -> None:
    """Another verification link, when the account exists and is unverified; else nothing."""
    user = find_by_email(email)
    if user is not None and user.password_hash and not user.email_verified:
        queue_verification_mail(user)


def _linked_user(
    token: str, salt: str, hours: int, expired: str
) -> tuple[User | None, dict[str, Any]]:
    """The person a mailed link names, and what else it carries; refused when it expired
    or was not signed by us."""
    try:
        data = _serializer(salt).loads(token, max_age=hours * 3600)
    except SignatureExpired as exc:
        raise Invalid(expired) from exc
    except BadSignature as exc:
        raise Invalid(_("This link is not valid.")) from exc
    if not isinstance(data, dict):
        raise Invalid(_("This link is not valid."))
    return db.session.get(User, parse_id(str(data.get("u"))) or 0), data


def verify_email(token: str) -> User:
    """Mark the address verified (A2). The link works once and expires."""
    user, data = _linked_user(
        token,
        VERIFY_SALT,
        current_app.config["VERIFY_LINK_HOURS"],
        _("This link has expired: log in and ask for a new one."),
    )
    if user is None or user.email != data.get("e"):
        raise Invalid(_("This link is not valid."))
    if user.email_verified:
        raise Conflict(_("This address is confirmed already: log in."))
    user.email_verified_at = utcnow()
    if user.claim != PriorityClass.OTHER and user.claim_status == ClaimStatus.NONE:
        user.claim_status = ClaimStatus.PENDING  # the claim made at sign-up goes to organizers
    return user


def request_password_reset(email: str) -> None:
    """Mail a single-use reset link when the address has an account; otherwise nothing.
    The caller answers the same either way (A4), and the work is alike too: every request
    writes a row of the audit log (which also shows organizers a run of probes)."""
    user = find_by_email(email)
    audit.record(
        None, "account.reset_request", f"email:{normalise_email(email)}", "known" if user else ""
    )
    if user is None:
        return
    if not user.password_hash:
        _queue_claim_mail(user)
        return
    token = _serializer(RESET_SALT).dumps({"u": user.id, "f": _state_fingerprint(user)})
    notifications.password_reset(
        user, _link("/reset-password/" + token), current_app.config["RESET_LINK_HOURS"]
    )


def user_for_reset(token: str) -> User:
    user, data = _linked_user(
        token,
        RESET_SALT,
        current_app.config["RESET_LINK_HOURS"],
        _("This link has expired: ask for a new one."),
    )
    if user is None or not hmac.compare_digest(str(data.get("f")), _state_fingerprint(user)):
        raise Invalid(_("This link was used already or is no longer valid: ask for a new one."))
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link; every login of the person ends (A3)."""
    user = user_for_reset(token)
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    user.session_token = new_token()
    user.email_verified_at = user.email_verified_at or utcnow()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)  # the same work as for a known address
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
        raise NotFound(_("No such user."))
    user.name, user.affiliation, user.projects = name.strip(), affiliation.strip(), projects.strip()
    _apply_claim(user, claim, claim_project, claim_note)
    return user


def change_password(user_id: int, current: str, new: str) -> None:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise Invalid(_("Your current password is wrong."), field="current_password")
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


def decide_claim(
    organizer_id: int,
    user_id: int,
    *,
    verify: bool,
    note: str = "",
    seen: tuple[str, str] | None = None,
) -> User:
    """Verify or reject a pending claim. A verified claim becomes the user's class (R3).

    A5: `seen` is the (class, project) the organizer was shown. The decision is one guarded
    update that applies only while the claim still says that, so a change made in between
    can never be verified unseen; the organizer is told what it says now.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    claim, project = seen if seen is not None else (user.claim, user.claim_project)
    decided = db.session.execute(
        update(User)
        .where(
            User.id == user_id,
            User.claim_status == ClaimStatus.PENDING,
            User.claim == claim,
            User.claim_project == project,
        )
        .values(
            claim_status=ClaimStatus.VERIFIED if verify else ClaimStatus.REJECTED,
            verified_class=claim if verify else PriorityClass.OTHER,
            verified_at=utcnow(),
            verified_by_id=organizer_id,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user)
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        if user.claim_status != ClaimStatus.PENDING:
            raise Conflict(_("%(name)s's claim is no longer pending.", name=user.name))
        now_says = f"{PriorityClass(user.claim).label} {user.claim_project}".strip()
        raise Conflict(
            _(
                "%(name)s changed the claim since you opened the page: it now says "
                "“%(claim)s”. Nothing was decided; review it again.",
                name=user.name,
                claim=now_says,
            )
        )
    if verify:
        notifications.claim_verified(user, PriorityClass(claim))
    else:
        notifications.claim_declined(user, note)
    action = "claim.verify" if verify else "claim.reject"
    detail = f"{PriorityClass(claim).label} {project}".strip()
    audit.record(organizer_id, action, f"user:{user.id} {user.email}", f"{detail} {note}".strip())
    return user


def make_organizer(email: str) -> User:
    user = find_by_email(email)
    if user is None:
        raise NotFound(_("No account with the email %(email)s; sign up first.", email=email))
    user.is_organizer = True
    # Made by whoever runs the server: they vouch for the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record(None, "user.make_organizer", f"user:{user.id} {user.email}")
    return user


def user_by_feed_address(address: str) -> User | None:
    """The owner of a personal calendar address (`User.feed_address`), or None."""
    text_id, _sep, token = address.partition("-")
    user_id = parse_id(text_id)
    if user_id is None or not token:
        return None
    user = db.session.get(User, user_id)
    if user is None or not hmac.compare_digest(user.feed_token.encode(), token.encode()):
        return None
    return user


def regenerate_feed_token(user_id: int) -> str:
    """A new secret for the personal calendar feed (E1); the old address then answers 404."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    user.feed_token = new_token()
    return user.feed_token


def set_locale(user_id: int, locale: str) -> User:
    """A person's language for pages and mail; "" follows their browser."""
    if locale and locale not in LOCALES:
        raise Invalid(_("We do not offer that language."), field="locale")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    user.locale = locale
    return user
