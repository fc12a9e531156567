"""A1: the key that signs sessions, remember-me cookies, CSRF tokens and mailed links.

Never a known default. In order: `SUMMIT_SECRET_KEY`; the file `instance/secret_key`;
with `SUMMIT_CREATE_SECRET=1` (what `make run` sets) a new random key written to that file
and kept across restarts. Otherwise the app refuses to start and says what to set.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

KEY_FILE = "secret_key"
MIN_LENGTH = 16
# Keys that were once defaults or examples: a cookie signed with them must never open anything.
KNOWN_KEYS = frozenset({"dev-only-not-secret", "changeme", "secret", "dev"})


class MissingSecretKey(RuntimeError):
    pass


def configure_secret_key(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if not key:
        key = _key_from_instance(Path(app.instance_path), app.config.get("CREATE_SECRET_KEY_FILE"))
    if key in KNOWN_KEYS or len(key) < MIN_LENGTH:
        raise MissingSecretKey(
            f"SUMMIT_SECRET_KEY is a known or short value: set SUMMIT_SECRET_KEY to at least "
            f"{MIN_LENGTH} random characters, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    app.config["SECRET_KEY"] = key


def _key_from_instance(instance: Path, create: object) -> str:
    path = instance / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    if not create:
        raise MissingSecretKey(
            "No secret key: set SUMMIT_SECRET_KEY to a long random value (for example "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`). `make run` writes "
            f"one to {path} for a local server; production needs SUMMIT_SECRET_KEY."
        )
    key = secrets.token_hex(32)
    # Owner-only from the start: the key is never world-readable, not even for a moment.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process of the same start wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
