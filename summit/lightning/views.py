"""The lightning-talk whiteboard (L1-L3)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lightning", __name__)
