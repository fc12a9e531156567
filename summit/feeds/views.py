"""iCalendar feeds (E1) and the frab schedule.xml/json (E2) at their stable public URLs."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__)
