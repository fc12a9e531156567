"""`flask summit ...` commands. Each command owns its transaction."""

from __future__ import annotations

import signal

import click
from flask.cli import AppGroup

from summit.db_utils import unit_of_work
from summit.services import accounts
from summit.services.errors import DomainError

summit_cli = AppGroup("summit", help="Summit administration commands.")


@summit_cli.command("create-organizer")
@click.argument("email")
@click.option("--name", help="Full name, when the account does not exist yet.")
@click.option("--password", help="Password for a new account (prompted when missing).")
def create_organizer(email: str, name: str | None, password: str | None) -> None:
    """Make EMAIL an organizer, creating the account when it does not exist."""
    try:
        with unit_of_work():
            if accounts.find_by_email(email) is None:
                if password is None:
                    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
                accounts.sign_up(name=name or email.split("@")[0], email=email, password=password)
            user = accounts.make_organizer(email)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"{user.email} is now an organizer.")


@summit_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a summit already exists.")
def demo(if_empty: bool) -> None:
    """Load the Diablo Design Summit demo (deterministic: same data every time)."""
    from summit.demo import DEMO_ORGANIZER_EMAIL, DEMO_PASSWORD, demo_attendee, load_demo

    with unit_of_work():
        loaded = load_demo(if_empty=if_empty)
    if loaded:
        click.echo("Loaded the Diablo Design Summit demo.")
    else:
        click.echo("A summit already exists; the demo was not loaded.")
    click.echo(f"Demo organizer: {DEMO_ORGANIZER_EMAIL} / password {DEMO_PASSWORD}")
    attendee = demo_attendee()
    if attendee:
        click.echo(f"Demo attendee with a seat (can book lightning talks): {attendee}")


@summit_cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Keep sending every few seconds until stopped.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between rounds.")
def send_mail(loop: bool, interval: float) -> None:
    """Deliver the outbox: once, or with --loop until interrupted."""
    from flask import current_app

    from summit.mail import send_due, send_loop

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if loop:
        click.echo(f"Sending mail every {interval:g} s; Ctrl-C stops.")
        try:
            send_loop(app, interval)
        except KeyboardInterrupt:
            return
    report = send_due(app)
    click.echo(f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed.")


@summit_cli.command("import-blueprints")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--summit", "slug", help="Summit slug (default: the current summit).")
@click.option("--partial", is_flag=True, help="Import the good rows even if some are bad.")
def import_blueprints_command(file: str, slug: str | None, partial: bool) -> None:
    """Import blueprints from a CSV or JSON FILE (see summit/services/imports.py)."""
    from pathlib import Path

    from summit.extensions import db
    from summit.services import imports, summits

    summit = summits.summit_by_slug(slug) if slug else summits.current_summit()
    if summit is None:
        raise click.ClickException("No such summit; give --summit SLUG.")
    try:
        rows = imports.parse(Path(file).read_bytes(), file)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    with click.progressbar(length=len(rows), label=f"Importing {len(rows)} rows") as bar:

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.pos)

        try:
            report = imports.import_blueprints(
                None, summit.id, rows, partial=partial, progress=progress
            )
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    if report.errors and not partial:
        raise click.ClickException(
            f"Nothing imported: {len(report.errors)} bad rows. Fix them or use --partial."
        )
    click.echo(report.summary())


@summit_cli.command("worker")
@click.option("--once", is_flag=True, help="Run queued jobs and send due mail once, then stop.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between rounds.")
def worker(once: bool, interval: float) -> None:
    """The background worker: runs jobs (imports, solving) and delivers the outbox."""
    from flask import current_app

    from summit.jobs import run_pending, work_loop
    from summit.mail import send_due

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        ran = run_pending(app)
        report = send_due(app)
        click.echo(f"{ran} jobs run; {report.sent} mails sent.")
        return
    click.echo("Worker running (jobs and mail); Ctrl-C or SIGTERM stops.")

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # a job cut short keeps its lease and is taken up after it

    signal.signal(signal.SIGTERM, interrupt)
    try:
        work_loop(app, interval)
    except KeyboardInterrupt:
        return


@summit_cli.command("schedule")
@click.option("--summit", "slug", help="Summit slug (default: the current summit).")
@click.option("--time-limit", default=30.0, show_default=True, help="Seconds to search.")
@click.option("--seed", default=0, show_default=True)
@click.option("--resolve", is_flag=True, help="Keep locks and move as few sessions as possible.")
@click.option("--publish", is_flag=True, help="Publish the schedule when one is found.")
def schedule_command(
    slug: str | None, time_limit: float, seed: int, resolve: bool, publish: bool
) -> None:
    """Place every session of a summit, print the result, and publish it if asked."""
    from scheduler import SolveOptions, Status, solve
    from summit.services import scheduling, summits

    summit = summits.summit_by_slug(slug) if slug else summits.current_summit()
    if summit is None:
        raise click.ClickException("No such summit; give --summit SLUG.")
    ctx = scheduling.load(summit.id)
    problem = scheduling.to_problem(ctx, with_previous=resolve)
    result = solve(
        problem,
        SolveOptions(time_limit=time_limit, seed=seed),
        hint=scheduling.draft(ctx) if resolve else (),
    )
    click.echo(
        f"{result.status.value} in {result.seconds:.1f} s for {len(problem.sessions)} "
        f"sessions, {len(problem.rooms)} rooms, {len(problem.days)} days"
    )
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE) or result.goals is None:
        for reason in result.explanation:
            click.echo(f"  - {reason}")
        raise click.ClickException("No schedule was found.")
    goals = result.goals
    click.echo(
        f"objective {result.objective} (bound {result.bound}, gap {result.gap}): "
        f"{goals.attendee_conflicts} attendee clashes, {goals.track_parallel_pairs} "
        f"same-track pairs in parallel, {goals.track_extra_rooms} extra rooms, "
        f"{goals.moved_sessions} moved"
    )
    try:
        with unit_of_work():
            scheduling.record_result(None, summit.id, result)
            changed = scheduling.publish(None, summit.id) if publish else 0
    except DomainError as error:
        raise click.ClickException(error.message) from error
    if publish:
        click.echo(f"Published; {changed} already-published sessions changed.")
