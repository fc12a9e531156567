"""Users, their contributor claims and the priority class organizers verify (R3)."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from summit.models.base import Base, UTCDateTime, utcnow


class PriorityClass(StrEnum):
    """Waiting-list classes, in priority order (R3)."""

    CORE = "core"
    KNOWN = "known"
    OTHER = "other"

    @property
    def rank(self) -> int:
        return {"core": 0, "known": 1, "other": 2}[self.value]

    @property
    def label(self) -> str:
        """The class as people read it, in the page's (or the mail's) language."""
        labels = {
            "core": _("Core developer"),
            "known": _("Well-known contributor"),
            "other": _("Everyone else"),
        }
        return str(labels[self.value])


class ClaimStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint("claim IN ('core', 'known', 'other')", name="claim_known"),
        CheckConstraint(
            "verified_class IN ('core', 'known', 'other')", name="verified_class_known"
        ),
        CheckConstraint(
            "claim_status IN ('none', 'pending', 'verified', 'rejected')",
            name="claim_status_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    affiliation: Mapped[str] = mapped_column(String(120), default="")
    projects: Mapped[str] = mapped_column(Text, default="")
    is_organizer: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the user says they are, and what an organizer has verified. Only the
    # verified class orders the waiting list; a claim alone never counts.
    claim: Mapped[str] = mapped_column(String(10), default=PriorityClass.OTHER)
    claim_project: Mapped[str] = mapped_column(String(80), default="")
    claim_status: Mapped[str] = mapped_column(String(10), default=ClaimStatus.NONE)
    claim_note: Mapped[str] = mapped_column(String(500), default="")
    verified_class: Mapped[str] = mapped_column(String(10), default=PriorityClass.OTHER)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A2: set when the owner of the address opened a mailed link (or set a password by one).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A3: part of every login's id; a new value ends every session and remember-me cookie.
    session_token: Mapped[str] = mapped_column(String(64), default=new_token)
    # I1: the locale this person reads pages and mail in ("de", "zh_CN"); "" follows the browser.
    locale: Mapped[str] = mapped_column(String(10), default="", server_default="")

    # When this login began (epoch seconds); not a column: it travels in the signed login id.
    login_stamp = 0

    # Flask-Login's four members, written out so mypy can follow them.
    @property
    def feed_address(self) -> str:
        """The secret part of the personal calendar's URL: the id finds the row, the token
        is then compared in constant time (a lookup by the secret itself would leak it)."""
        return f"{self.id}-{self.feed_token}"

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The login's id for Flask-Login: `<id>:<session token>:<login time>`, signed in the
        session and remember-me cookies. The loader checks the token (A3) and the login time
        (remember-me expires on the server); see `summit.auth.logins`."""
        return f"{self.id}:{self.session_token}:{self.login_stamp}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def priority_class(self) -> PriorityClass:
        return PriorityClass(self.verified_class)

    @property
    def has_pending_claim(self) -> bool:
        return self.claim_status == ClaimStatus.PENDING
