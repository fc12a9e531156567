"""Public pages: the current summit's home page and the pages of every summit."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from summit.extensions import db
from summit.models import EventKind, Summit
from summit.services import summits

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    summit = summits.current_summit()
    if summit is None:
        others = db.session.scalars(select(Summit).order_by(Summit.id.desc())).all()
        return render_template("public/no_summit.html", summits=others)
    return render_template("public/summit.html", summit=summit, EventKind=EventKind)


@bp.get("/healthz")
def healthz() -> tuple[str, int, dict[str, str]]:
    """For load balancers, and the benchmarks' measure of the framework's floor."""
    return "ok", 200, {"Content-Type": "text/plain"}


@bp.get("/summits")
def summit_list() -> str:
    every = db.session.scalars(select(Summit).order_by(Summit.id.desc())).all()
    return render_template("public/summits.html", summits=every)


@bp.get("/<slug>/")
def summit_home(slug: str) -> str:
    summit = summits.summit_by_slug(slug) or abort(404, _("No summit has that address."))
    return render_template("public/summit.html", summit=summit, EventKind=EventKind)
