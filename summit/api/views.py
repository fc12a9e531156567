"""The read-only public JSON API under /api/v1 with its OpenAPI document (E3)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
