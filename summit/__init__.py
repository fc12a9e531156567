"""The Summit web application: create_app() builds it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from config import Config, default_config
from summit import i18n, security_headers
from summit.auth import logins
from summit.db_utils import MAX_ID, NUL
from summit.extensions import csrf, db, limiter, login_manager, migrate
from summit.models import search_index
from summit.secret_key import configure_secret_key
from summit.web import nav_summit

ROOT = Path(__file__).resolve().parent.parent


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite ignores foreign keys unless asked, and fails at once on a lock unless told to wait."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL lets readers go on while one writer holds the lock (file databases only).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def create_app(config: type[Config] | None = None) -> Flask:
    config = config or default_config()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "summit" / "static"),
        instance_path=config.INSTANCE_PATH,
    )
    # Ids in URLs fit the database's integer: a larger one is a plain 404, not an overflow.
    # (Set before any route is added: rules bind their converters when added.)
    app.url_map.converters["int"] = DatabaseId
    # wsgi.py is what a production server runs: debug mode only when FLASK_DEBUG asks.
    app.config.from_object(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    configure_secret_key(app)

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_name=search_index.include_name,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see that page.")
    login_manager.localize_callback = str  # flashed as plain text, in the page's language
    login_manager.login_message_category = "info"
    login_manager.user_loader(logins.load_user)
    limiter.init_app(app)
    security_headers.init_app(app)
    i18n.init_app(app)

    from summit.api.views import bp as api_bp
    from summit.auth.views import bp as auth_bp
    from summit.feeds.views import bp as feeds_bp
    from summit.lightning.views import bp as lightning_bp
    from summit.organizer.views import bp as organizer_bp
    from summit.public.views import bp as public_bp
    from summit.registration.views import bp as registration_bp
    from summit.schedule.views import bp as schedule_bp
    from summit.scheduling.views import bp as scheduling_bp
    from summit.sessions.views import bp as sessions_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(scheduling_bp)
    app.register_blueprint(schedule_bp)
    app.register_blueprint(lightning_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # read-only: a POST there gets the API's JSON 405, not a form error
    app.register_blueprint(public_bp)

    from summit.cli import summit_cli

    app.cli.add_command(summit_cli)
    _register_template_helpers(app)
    _register_error_pages(app)
    app.before_request(_refuse_nul_characters)
    app.before_request(_refuse_unexpected_files)
    return app


def _refuse_nul_characters() -> None:
    """PostgreSQL cannot store U+0000 in text, and no page needs it: refuse it up front in
    the path, the query and the form, with a 400 rather than a database error."""
    texts = [request.path, *(value for _key, value in request.args.items(multi=True))]
    if request.method == "POST":
        texts += [value for _key, value in request.form.items(multi=True)]
    if any(NUL in text for text in texts):
        abort(400, _("The request holds a NUL character (U+0000), which no field accepts."))


# Endpoints whose form has a file field; anywhere else a file part is a 400, not a crash.
UPLOAD_ENDPOINTS = frozenset({"sessions.import_upload"})


def _refuse_unexpected_files() -> None:
    if request.method == "POST" and request.files and request.endpoint not in UPLOAD_ENDPOINTS:
        names = ", ".join(sorted(request.files))
        abort(
            400,
            _("This form takes text, not files (a file came in the field %(names)s).", names=names),
        )


class DatabaseId(IntegerConverter):
    """`<int:...>` in routes: a non-negative id no larger than a 32-bit integer column."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["nav_summit"] = nav_summit

    @app.template_global("summit_moment")
    def summit_moment(summit: Any) -> datetime:
        """Noon on the summit's first day: the offset its visitors will live in."""
        first = summit.starts_on
        if first is None:
            return datetime.now(UTC)
        return datetime.combine(first, time(12), tzinfo=summit.zone)

    @app.template_filter("zone_label")
    def zone_label(instant: datetime | None, zone: Any) -> str:
        """The zone as people read it, with its offset then: "PDT, UTC−7" (P5)."""
        moment = (instant or datetime.now(UTC)).astimezone(zone)
        offset = moment.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "\u2212"
        hours, rest = divmod(abs(minutes), 60)
        number = f"{hours}" + (f":{rest:02d}" if rest else "")
        name = moment.tzname() or ""
        utc = f"UTC{sign}{number}" if minutes else "UTC"
        return (
            f"{name}, {utc}" if name and not name.startswith(("+", "-")) and name != "UTC" else utc
        )

    @app.template_filter("by_day")
    def by_day(entries: list[Any], zone: Any) -> list[tuple[Any, list[Any]]]:
        """Entries in time order, grouped by their date in the summit's zone: the sections a
        printed list starts a new page at (P5)."""
        groups: dict[Any, list[Any]] = {}
        for entry in entries:
            groups.setdefault(entry.starts_at.astimezone(zone).date(), []).append(entry)
        return list(groups.items())

    @app.template_filter("webcal")
    def webcal(url: str) -> str:
        """The same feed for calendar apps that subscribe on a webcal:// link."""
        return "webcal://" + url.split("://", 1)[-1]


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template(
            "errors/error.html",
            code=400,
            title=_("Form expired"),
            message=_("The form was stale or incomplete. Go back, reload the page and try again."),
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str | Response, int]:
        code = error.code or 500
        if request.path.startswith("/api/"):
            # Even a path no route matches (a newline in a slug, say) answers the API's way.
            return jsonify(error=error.description or error.name), code
        titles = {
            400: _("Bad request"),
            403: _("Not allowed"),
            404: _("Not found"),
            405: _("Method not allowed"),
            409: _("Conflict"),
            413: _("Too large"),
            422: _("Unprocessable Entity"),
            429: _("Too many attempts"),
            500: _("Internal Server Error"),
        }
        if code == 429:
            message = _(
                "Too many attempts in a short time. Wait a minute, then try again. "
                "If you forgot your password, you can reset it."
            )
            return render_template(
                "errors/error.html", code=code, title=titles[code], message=message
            ), code
        return render_template(
            "errors/error.html",
            code=code,
            title=titles.get(code, error.name),
            message=error.description if "description" in vars(error) else _default(code, error),
        ), code


def _default(code: int, error: HTTPException) -> str | None:
    """Werkzeug's own text for an abort() that gave none, in the page's language."""
    descriptions = {
        400: _("The browser (or proxy) sent a request that this server could not understand."),
        403: _(
            "You don't have the permission to access the requested resource. It is either "
            "read-protected or not readable by the server."
        ),
        404: _(
            "The requested URL was not found on the server. If you entered the URL manually "
            "please check your spelling and try again."
        ),
        405: _("The method is not allowed for the requested URL."),
        413: _("The data value transmitted exceeds the capacity limit."),
        500: _(
            "The server encountered an internal error and was unable to complete your request. "
            "Either the server is overloaded or there is an error in the application."
        ),
    }
    return str(descriptions[code]) if code in descriptions else error.description
