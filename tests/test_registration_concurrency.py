"""R2/R4/R5 under concurrency, on the engine under test (a file database on SQLite).

Threads, each with its own app context and session, race through the same services the
views call; a barrier starts them together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import Event, EventKind, Registration, RegistrationStatus, SeatPolicy, User
from summit.services import registration as reg
from summit.services.errors import DomainError


def race(app: Flask, jobs: list[Callable[[], object]]) -> tuple[list[object], list[str]]:
    """Run every job in its own thread and transaction; returns results and domain errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    refused: list[str] = []
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def run(job: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait()
                outcome = job()
                db.session.commit()
                with lock:
                    results.append(outcome)
            except DomainError as error:
                db.session.rollback()
                with lock:
                    refused.append(error.message)
            except BaseException as error:  # any other failure fails the test
                db.session.rollback()
                with lock:
                    crashes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashes == [], crashes
    return results, refused


def _event(make_summit, *, capacity: int, open_seats: int, policy: str = "review") -> Event:
    summit = make_summit(design_capacity=capacity, design_open=open_seats, policy=policy)
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    return event


def _users(make_user, n: int, prefix: str) -> list[int]:
    return [make_user(name=f"{prefix}{i}", email=f"{prefix}{i}@example.org").id for i in range(n)]


def _fill(event: Event, user_ids: list[int]) -> list[int]:
    ids = []
    for user_id in user_ids:
        ids.append(reg.register(user_id, event.id).registration_id)
        db.session.commit()
    return ids


def _confirmed_rows(event_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        or 0
    )


def _counter(event_id: int) -> int:
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    assert event is not None
    return event.confirmed_count


def test_r2_200_people_race_for_the_last_10_open_seats(app, make_summit, make_user) -> None:
    event = _event(make_summit, capacity=250, open_seats=200)
    event.confirmed_count = 190  # 190 seats went earlier
    racers = _users(make_user, 200, "racer")
    db.session.commit()
    event_id = event.id
    _results, refused = race(app, [lambda u=u: reg.register(u, event_id) for u in racers])
    assert refused == []
    assert _counter(event_id) == 200
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event_id)).all()
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
    assert (len(confirmed), len(waiting)) == (10, 190)
    # In join order: nobody who got through later took a seat from someone waiting.
    assert max(r.joined_at for r in confirmed) <= min(r.joined_at for r in waiting)
    queue = reg.waiting_list(db.session.get(Event, event_id))  # type: ignore[arg-type]
    assert [r.joined_at for r in queue] == sorted(r.joined_at for r in waiting)
    assert [reg.position(r) for r in queue[:3]] == [1, 2, 3]


def test_r4_two_organizers_confirm_the_next_30_with_40_seats_left(
    app, make_summit, make_user
) -> None:
    event = _event(make_summit, capacity=50, open_seats=10)
    organizers = _users(make_user, 2, "organizer")
    db.session.commit()
    _fill(event, _users(make_user, 70, "attendee"))  # 10 confirmed, 60 waiting
    db.session.commit()
    expected = [r.id for r in reg.waiting_list(event)[:40]]
    event_id = event.id
    results, refused = race(
        app, [lambda o=o: reg.confirm_next(o, event_id, 30) for o in organizers]
    )
    assert sorted(results) == [10, 30]  # type: ignore[type-var]
    assert refused == []
    assert _counter(event_id) == _confirmed_rows(event_id) == 50
    confirmed_now = set(
        db.session.scalars(
            select(Registration.id).where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.decided_by_id.is_not(None),
            )
        )
    )
    assert confirmed_now == set(expected)  # the head of the list, in R3 order


def test_r4_cancellations_racing_confirmations_never_pass_capacity(
    app, make_summit, make_user
) -> None:
    event = _event(make_summit, capacity=20, open_seats=10)
    organizers = _users(make_user, 3, "organizer")
    holders = _users(make_user, 10, "holder")
    db.session.commit()
    seats = _fill(event, holders)
    _fill(event, _users(make_user, 30, "waiting"))
    event_id = event.id
    jobs: list[Callable[[], object]] = [
        lambda u=u, s=s: reg.cancel(u, s) for u, s in zip(holders, seats, strict=True)
    ]
    jobs += [lambda o=o: reg.confirm_next(o, event_id, 15) for o in organizers]
    race(app, jobs)
    confirmed = _confirmed_rows(event_id)
    assert _counter(event_id) == confirmed <= 20
    # R5: a seat freed after the organizers finished went back to their pool, not lost.
    if confirmed < 20:
        reg.confirm_next(organizers[0], event_id, 20 - confirmed)
        db.session.commit()
    assert _counter(event_id) == _confirmed_rows(event_id) == 20


def test_r5_under_auto_each_cancellation_promotes_exactly_one(app, make_summit, make_user) -> None:
    event = _event(make_summit, capacity=10, open_seats=10, policy=SeatPolicy.AUTO)
    holders = _users(make_user, 10, "holder")
    db.session.commit()
    seats = _fill(event, holders)
    waiting_ids = _fill(event, _users(make_user, 20, "waiting"))
    newcomers = _users(make_user, 20, "newcomer")
    db.session.commit()
    event_id = event.id
    jobs: list[Callable[[], object]] = [
        lambda u=u, s=s: reg.cancel(u, s) for u, s in list(zip(holders, seats, strict=True))[:5]
    ]
    jobs += [lambda u=u: reg.register(u, event_id) for u in newcomers]
    race(app, jobs)
    assert _counter(event_id) == _confirmed_rows(event_id) == 10
    promoted = db.session.scalars(
        select(Registration.id).where(
            Registration.id.in_(waiting_ids), Registration.status == RegistrationStatus.CONFIRMED
        )
    ).all()
    assert sorted(promoted) == sorted(waiting_ids[:5])  # exactly the five at the head
    late = db.session.scalars(
        select(Registration.status)
        .join(User, User.id == Registration.user_id)
        .where(User.name.like("newcomer%"))
    ).all()
    assert set(late) == {RegistrationStatus.WAITLISTED}
