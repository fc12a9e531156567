"""A3: logins that can be ended. Every login's id carries the account's session token and
the time of the login, signed inside the session and remember-me cookies:

- a new session token (logout, a password change, a reset) ends every session and
  remember-me cookie of the person at once;
- a login older than `REMEMBER_DAYS` is refused by the server, whatever the cookie says;
- logging in starts a new session, so the CSRF token is new too.
"""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select

from summit import clock
from summit.db_utils import parse_id
from summit.extensions import db
from summit.models import User, new_token

# Built once: the user is loaded on every logged-in request.
_USER_BY_ID = select(User).where(User.id == bindparam("id"))


def log_in(user: User, *, remember: bool = False) -> None:
    session.clear()  # a new session, and with it a new CSRF token
    user.login_stamp = int(clock.now().timestamp())
    login_user(user, remember=remember)


def end_every_session(user: User) -> None:
    """Every cookie issued so far stops working (the caller commits)."""
    user.session_token = new_token()


def log_out(user: User | None) -> None:
    if user is not None:
        end_every_session(user)
        db.session.commit()
    logout_user()
    session.clear()


def renew_after_password_change(user: User) -> None:
    """A password change ends every other login; this browser stays logged in."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    end_every_session(user)
    db.session.commit()
    log_in(user, remember=remember)


def load_user(login_id: str) -> User | None:
    """Flask-Login's loader: the person, if the login is theirs, unrevoked and not too old."""
    text_id, _, rest = login_id.partition(":")
    token, _, text_stamp = rest.partition(":")
    user_id = parse_id(text_id)
    if user_id is None or not token or not text_stamp.isdecimal():
        return None  # also every cookie from before logins carried a token
    user = db.session.scalar(_USER_BY_ID, {"id": user_id})
    if user is None or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    stamp = int(text_stamp)
    max_age = timedelta(days=current_app.config["REMEMBER_DAYS"]).total_seconds()
    if clock.now().timestamp() - stamp > max_age:
        return None
    user.login_stamp = stamp
    return user
