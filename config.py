"""Configuration classes. Secrets and URLs come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # A1: never a known default. Unset, the app reads instance/secret_key (which `make run`
    # writes on first start, SUMMIT_CREATE_SECRET=1) or refuses to start: see summit/secrets.py.
    SECRET_KEY = os.environ.get("SUMMIT_SECRET_KEY")
    CREATE_SECRET_KEY_FILE = _bool("SUMMIT_CREATE_SECRET")
    # Where the key file (and the default SQLite database's folder) lives.
    INSTANCE_PATH = os.environ.get("SUMMIT_INSTANCE_PATH", str(BASE_DIR / "instance"))
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'summit.db'}"
    )
    HTTPS = _bool("SUMMIT_HTTPS")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = HTTPS
    # A3: remember-me lasts this long, checked on the server too (the cookie's own expiry is
    # the browser's to keep).
    REMEMBER_DAYS = int(os.environ.get("SUMMIT_REMEMBER_DAYS", "30"))
    REMEMBER_COOKIE_DURATION = timedelta(days=REMEMBER_DAYS)
    # A2: how long a mailed verification or password-reset link works.
    VERIFY_LINK_HOURS = 48
    RESET_LINK_HOURS = 2
    # A4: Flask-Limiter. In memory for one server; a shared store (redis://…) for several.
    RATELIMIT_STORAGE_URI = os.environ.get("SUMMIT_RATELIMIT_STORAGE", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
    LOGIN_FAILURES_PER_MINUTE = 10
    WTF_CSRF_ENABLED = True
    # Forms are small; bulk imports (blueprint CSV/JSON) stay well under this.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    SERVER_NAME_FOR_IDS = os.environ.get("SUMMIT_SERVER_NAME", "summit.localhost")
    MAIL_SERVER = os.environ.get("SUMMIT_SMTP_HOST", "localhost")
    MAIL_PORT = int(os.environ.get("SUMMIT_SMTP_PORT", "25"))
    MAIL_USE_TLS = _bool("SUMMIT_SMTP_STARTTLS")
    MAIL_USE_SSL = _bool("SUMMIT_SMTP_SSL")
    MAIL_USERNAME = os.environ.get("SUMMIT_SMTP_USER")
    MAIL_PASSWORD = os.environ.get("SUMMIT_SMTP_PASSWORD")
    # "Name <address>"; a bare address gets the summit's name as display name (M1).
    MAIL_FROM = os.environ.get("SUMMIT_MAIL_FROM", f"summit@{SERVER_NAME_FOR_IDS}")
    # J1/M2: how long a claimed job or mail is left alone before another worker takes it up.
    JOB_LEASE_SECONDS = float(os.environ.get("SUMMIT_JOB_LEASE_SECONDS", "60"))
    MAIL_LEASE_SECONDS = float(os.environ.get("SUMMIT_MAIL_LEASE_SECONDS", "120"))
    BASE_URL = os.environ.get("SUMMIT_BASE_URL", "http://127.0.0.1:5000")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-for-the-suite-only"  # noqa: S105 - a test-only key
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    BASE_URL = "http://summit.test"


class DevConfig(Config):
    DEBUG = True


def default_config() -> type[Config]:
    """Production settings, unless FLASK_DEBUG asks for development ones (debug mode)."""
    return DevConfig if _bool("FLASK_DEBUG") else Config
