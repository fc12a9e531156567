"""The published schedule for everyone (P2, P3): day grid, session, track, room, lead pages,
"now and next" and "My schedule"."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("programme", __name__)
