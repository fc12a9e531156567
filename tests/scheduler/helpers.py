"""Tiny problems for the scheduler tests, built in a line or two."""

from __future__ import annotations

import random

from scheduler.types import (
    Day,
    Person,
    Placement,
    Problem,
    Room,
    Session,
    Slot,
    SlotSet,
    Track,
    Weights,
)

WEIGHTS = Weights(
    attendee_conflict=1, track_parallel_pair=10, track_extra_room=20, moved_session=50
)


def days(n: int = 1, morning: int = 2, afternoon: int = 2) -> tuple[Day, ...]:
    out = []
    for d in range(n):
        slots = [Slot(i, f"{9 + i}:00", f"{9 + i}:40", "morning") for i in range(morning)]
        slots += [
            Slot(morning + j, f"{14 + j}:00", f"{14 + j}:40", "afternoon") for j in range(afternoon)
        ]
        out.append(Day(d, f"Day {d + 1}", tuple(slots)))
    return tuple(out)


def session(
    sid: str,
    track: str = "nova",
    lead: str | None = None,
    duration: int = 1,
    attendance: int = 10,
    interested: tuple[str, ...] = (),
    windows: tuple[SlotSet, ...] | None = None,
) -> Session:
    return Session(
        sid,
        f"Session {sid}",
        track,
        lead or f"lead-{sid}",
        duration,
        attendance,
        interested,
        windows,
    )


def problem(
    sessions: list[Session],
    *,
    rooms: int | list[int] = 1,
    n_days: int = 1,
    morning: int = 2,
    afternoon: int = 2,
    weights: Weights = WEIGHTS,
    locked: tuple[Placement, ...] = (),
    previous: tuple[Placement, ...] = (),
    people: list[Person] | None = None,
) -> Problem:
    capacities = rooms if isinstance(rooms, list) else [100] * rooms
    leads = sorted({s.lead for s in sessions})
    known = {p.id: p for p in people or []}
    return Problem(
        name="tiny",
        days=days(n_days, morning, afternoon),
        rooms=tuple(Room(f"r{i}", f"Room {i}", c) for i, c in enumerate(capacities)),
        tracks=tuple(Track(t, t.title()) for t in sorted({s.track for s in sessions})),
        people=tuple(known.get(lead, Person(lead, lead.title())) for lead in leads),
        sessions=tuple(sessions),
        weights=weights,
        locked=locked,
        previous=previous,
    )


def medium(seed: int = 0, n: int = 60, rooms: int = 4) -> Problem:
    """A seeded problem big enough that CP-SAT's search does not finish in a small budget:
    n sessions in 6 tracks, leads with several sessions, attendance that needs big rooms."""

    rng = random.Random(seed)
    people = [f"p{j}" for j in range(20)]
    sessions = [
        session(
            f"s{i:02d}",
            track=f"t{i % 6}",
            lead=f"l{i % 25}",
            duration=2 if i % 9 == 0 else 1,
            attendance=rng.choice([10, 20, 40, 80]),
            interested=tuple(rng.sample(people, rng.randint(2, 8))),
        )
        for i in range(n)
    ]
    capacities = [100] + [max(20, 100 - 30 * k) for k in range(1, rooms)]
    return problem(sessions, rooms=capacities, n_days=3, morning=4, afternoon=4)


def crowded_track() -> tuple[Problem, tuple[Placement, ...], list[int]]:
    """Two rooms over three days of eight slots; 'big' has 36 sessions (two of them two
    slots long) for its 38 room-slots, 'small' fills the rest of room r0. The start puts
    the two long sessions on different days: 14 same-track pairs, where side by side they
    would be one pair over two periods (13 in all, the fewest: 36 sessions, 23 clusters)."""
    big = [session("L0", "big", duration=2), session("L1", "big", duration=2)]
    big += [session(f"b{i:02d}", "big") for i in range(34)]
    small = [session(f"s{i}", "small") for i in range(10)]
    p = problem([*big, *small], rooms=2, n_days=3, morning=4, afternoon=4)
    start: list[Placement] = []
    r0 = [(d, t) for d in range(3) for t in range(8)]
    start += [Placement(s.id, "r0", d, t) for s, (d, t) in zip(small, r0[:10], strict=True)]
    singles = iter(big[2:])
    start += [Placement(next(singles).id, "r0", d, t) for d, t in r0[10:]]
    start += [Placement("L0", "r1", 0, 0), Placement("L1", "r1", 2, 4)]
    for d, t in r0:
        if (d, t) not in {(0, 0), (0, 1), (2, 4), (2, 5)}:
            start.append(Placement(next(singles).id, "r1", d, t))
    return p, tuple(start), list(range(len(big)))
