"""The app as the registration rush serves it, plus one page for the benchmark alone.

`POST /bench/logged-in-post` does what every logged-in form post does and nothing more: it
loads the person (Flask-Login), checks the CSRF token, commits an empty transaction,
flashes a message and redirects. Its rate is the framework's floor for a logged-in form,
which tells how much of a registration's cost is the registering itself.
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from werkzeug.wrappers import Response

from summit import create_app
from summit.extensions import db
from summit.web import login_required

app = create_app()


@app.post("/bench/logged-in-post")
@login_required
def logged_in_post() -> Response:
    db.session.commit()
    flash("Nothing was done.", "info")
    return redirect(url_for("registration.mine"))
