"""The time "now" for pages that depend on it; tests inject a fixed clock through config."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app


def now() -> datetime:
    fixed = current_app.config.get("NOW")
    return fixed if isinstance(fixed, datetime) else datetime.now(UTC)
