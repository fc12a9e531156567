"""Scheduler benchmark: our CP-SAT solver against a greedy baseline and a counting floor.

Generates two seeded problems in the `summit-sched-instance` format and writes them as JSON:

- *summit*: 120 sessions, 6 rooms, 3 days × 8 slots (morning and afternoon blocks of 4),
  rooms about 90 % full;
- *large*: 400 sessions, 12 rooms, 4 days × 10 slots (blocks of 5), leads owning 1–4
  sessions across tracks, ~8 % two-slot sessions, 9 tracks, a "Release management" track
  allowed only on the first morning, ~1000 attendees with Zipf-like interest, some leads
  arriving late or leaving early.

Both weigh goals attendee_conflict 1, track_parallel_pair 10, track_extra_room 20. A seed
whose problem the greedy cannot place is skipped for the next one, so every instance is
feasible. Each instance is solved by `scheduler.solve` and by the greedy baseline (random
restarts for the same wall time); both schedules are re-checked with validate.check.

    .venv/bin/python benchmarks/solver.py [--only summit|large] [--seconds-summit 10]
        [--seconds-large 60] [--seed 1] [--out-dir DIR]

The last line per instance reads
`RESULT instance=… status=… seconds=… objective=… bound=… gap=… floor=… ratio_vs_greedy=…`.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler import solve
from scheduler.fileio import problem_to_json
from scheduler.floor import floor
from scheduler.greedy import greedy
from scheduler.types import (
    Day,
    Goals,
    Person,
    Placement,
    Problem,
    Progress,
    Result,
    Room,
    Session,
    Slot,
    SlotSet,
    SolveOptions,
    Track,
    Weights,
)
from scheduler.validate import check, score

WEIGHTS = Weights(attendee_conflict=1, track_parallel_pair=10, track_extra_room=20)
RELEASE = "Release management"
TRACK_NAMES = [
    "Compute",
    "Networking",
    "Storage",
    "Identity",
    "Dashboard",
    "Operators",
    "Testing",
    "Documentation",
]


@dataclass(frozen=True)
class Shape:
    """What to generate."""

    name: str
    sessions: int
    capacities: tuple[int, ...]  # one room each
    days: int
    block: int  # slots per block; two blocks (morning, afternoon) a day
    tracks: int  # including the Release management track when `release` is set
    attendees: int
    interests: tuple[int, int]  # sessions each attendee is interested in, min and max
    two_slot: float = 0.08
    release: int = 0  # sessions in the Release management track (first morning only)
    away: float = 0.0  # share of leads arriving late or leaving early


SHAPES = {
    "summit": Shape(
        "summit",
        sessions=120,
        capacities=(40, 60, 80, 100, 150, 250),
        days=3,
        block=4,
        tracks=6,
        attendees=400,
        interests=(3, 8),
    ),
    "large": Shape(
        "large",
        sessions=400,
        capacities=(30, 40, 50, 60, 70, 80, 100, 120, 150, 200, 250, 400),
        days=4,
        block=5,
        tracks=9,
        attendees=1000,
        interests=(3, 9),
        release=12,
        away=0.1,
    ),
}


# ------------------------------------------------------------------ generating problems


def _days(shape: Shape) -> tuple[Day, ...]:
    def clock(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    slots = []
    for block, start in (("morning", 9 * 60), ("afternoon", 9 * 60 + shape.block * 50 + 60)):
        for k in range(shape.block):
            begin = start + k * 50
            slots.append((clock(begin), clock(begin + 45), block))
    return tuple(
        Day(d, f"Day {d + 1}", tuple(Slot(i, a, b, blk) for i, (a, b, blk) in enumerate(slots)))
        for d in range(shape.days)
    )


def _tracks(shape: Shape, rng: random.Random) -> tuple[list[Track], list[str]]:
    """The tracks, and the track of each session (Release management ones first)."""
    names = TRACK_NAMES[: shape.tracks - (1 if shape.release else 0)]
    tracks = [Track(f"t{i}", name) for i, name in enumerate(names)]
    of_session: list[str] = []
    if shape.release:
        tracks.append(Track("t-release", RELEASE))
        of_session += ["t-release"] * shape.release
    sizes = [rng.uniform(0.5, 1.5) for _ in names]
    rest = shape.sessions - len(of_session)
    of_session += rng.choices([t.id for t in tracks[: len(names)]], weights=sizes, k=rest)
    return tracks, of_session


def _leads(n_sessions: int, rng: random.Random) -> list[int]:
    """The lead (a person number) of each session: each lead owns 1–4 sessions."""
    order = list(range(n_sessions))
    rng.shuffle(order)
    lead_of = [0] * n_sessions
    person = 0
    while order:
        for _ in range(rng.choices([1, 2, 3, 4], weights=[4, 3, 2, 1])[0]):
            if order:
                lead_of[order.pop()] = person
        person += 1
    return lead_of


def _interest(
    shape: Shape, track_of: list[str], rng: random.Random
) -> tuple[list[list[str]], list[int]]:
    """Who is interested in each session, and each session's popularity rank weight (Zipf)."""
    n = len(track_of)
    ranks = list(range(1, n + 1))
    rng.shuffle(ranks)
    popularity = [1.0 / r for r in ranks]
    by_track: dict[str, list[int]] = {}
    for i, t in enumerate(track_of):
        by_track.setdefault(t, []).append(i)
    everyone = list(range(n))
    cumulative = {t: list(accumulate(popularity[i] for i in ids)) for t, ids in by_track.items()}
    all_cumulative = list(accumulate(popularity))
    interested: list[list[str]] = [[] for _ in range(n)]
    for a in range(shape.attendees):
        favourites = rng.sample(sorted(by_track), k=min(2, len(by_track)))
        chosen: set[int] = set()
        for _ in range(rng.randint(*shape.interests)):
            if rng.random() < 0.7:
                t = rng.choice(favourites)
                chosen.add(rng.choices(by_track[t], cum_weights=cumulative[t])[0])
            else:
                chosen.add(rng.choices(everyone, cum_weights=all_cumulative)[0])
        for i in chosen:
            interested[i].append(f"a{a:04d}")
    return interested, [len(x) for x in interested]


def _attendance(
    shape: Shape, interest: list[int], duration: list[int], periods: int, rng: random.Random
) -> list[int]:
    """Expected attendance from interest, capped so that every session fits somewhere: the
    k-th biggest session (by slot-units) fits a room slot ranked k × 1.15 by capacity."""
    expected = [max(8, int(c * rng.uniform(0.5, 0.9))) for c in interest]
    room_slots = sorted((c for c in shape.capacities for _ in range(periods)), reverse=True)
    used = 0
    for i in sorted(range(len(expected)), key=lambda i: -expected[i]):
        rank = min(len(room_slots) - 1, int((used + duration[i]) * 1.15))
        expected[i] = min(expected[i], room_slots[rank])
        used += duration[i]
    return expected


def _people(
    shape: Shape, n_people: int, days: tuple[Day, ...], keep: set[int], rng: random.Random
) -> list[Person]:
    """Leads; some arrive late (miss the first morning) or leave early (the last afternoon)."""
    people = []
    first, last = days[0], days[-1]
    for p in range(n_people):
        away: tuple[SlotSet, ...] = ()
        if p not in keep and rng.random() < shape.away:
            if rng.random() < 0.5:
                away = (SlotSet(first.index, tuple(range(rng.randint(1, shape.block)))),)
            else:
                n_slots = len(last.slots)
                away = (SlotSet(last.index, tuple(range(n_slots - shape.block, n_slots))),)
        people.append(Person(f"p{p:03d}", f"Lead {p}", away))
    return people


def generate(shape: Shape, seed: int) -> Problem:
    rng = random.Random(seed)  # noqa: S311 - a benchmark's data, not secrets
    days = _days(shape)
    tracks, track_of = _tracks(shape, rng)
    n = shape.sessions
    duration = [2 if rng.random() < shape.two_slot else 1 for _ in range(n)]
    lead_of = _leads(n, rng)
    interested, interest = _interest(shape, track_of, rng)
    periods = sum(len(d.slots) for d in days)
    expected = _attendance(shape, interest, duration, periods, rng)
    window = (SlotSet(0, tuple(range(shape.block))),)
    names = {t.id: t.name for t in tracks}
    sessions = tuple(
        Session(
            id=f"s{i:03d}",
            title=f"{names[track_of[i]]} session {i}",
            track=track_of[i],
            lead=f"p{lead_of[i]:03d}",
            duration_slots=duration[i],
            expected_attendance=expected[i],
            interested=tuple(interested[i]),
            allowed_windows=window if track_of[i] == "t-release" else None,
        )
        for i in range(n)
    )
    release_leads = {lead_of[i] for i in range(n) if track_of[i] == "t-release"}
    rooms = tuple(Room(f"room-{r:02d}", f"Room {r + 1}", c) for r, c in enumerate(shape.capacities))
    return Problem(
        name=shape.name,
        days=days,
        rooms=rooms,
        tracks=tuple(tracks),
        people=tuple(_people(shape, max(lead_of) + 1, days, release_leads, rng)),
        sessions=sessions,
        weights=WEIGHTS,
        slot_minutes=45,
    )


def feasible_problem(shape: Shape, seed: int, tries: int = 50) -> tuple[Problem, int]:
    """The first problem from `seed` on that the greedy can place, and its seed."""
    for s in range(seed, seed + tries):
        problem = generate(shape, s)
        if greedy(problem) is not None:
            return problem, s
        print(f"{shape.name}: seed {s} gives a problem the greedy cannot place; next seed")
    raise SystemExit(f"{shape.name}: no feasible problem in {tries} seeds")


# ------------------------------------------------------------------ running and reporting


def _solve(problem: Problem, seconds: float, seed: int) -> tuple[Result, float, float | None]:
    """Our solver's result, its wall time, and when it found its first schedule (if told)."""
    first: list[float] = []

    def on_progress(progress: Progress) -> None:
        if not first:
            first.append(progress.seconds)

    options = SolveOptions(time_limit=seconds, seed=seed)
    kwargs: dict[str, Any] = {}
    if "on_progress" in inspect.signature(solve).parameters:
        kwargs["on_progress"] = on_progress
    started = time.perf_counter()
    result = solve(problem, options, **kwargs)
    wall = time.perf_counter() - started
    return result, wall, first[0] if first else None


def _goals_line(goals: Goals) -> str:
    return (
        f"attendee_conflicts={goals.attendee_conflicts} "
        f"track_parallel_pairs={goals.track_parallel_pairs} "
        f"track_extra_rooms={goals.track_extra_rooms} moved_sessions={goals.moved_sessions}"
    )


def _checked(problem: Problem, who: str, placed: tuple[Placement, ...]) -> None:
    errors = check(problem, placed)
    if errors:
        raise SystemExit(f"{problem.name}: {who}'s schedule breaks hard rules: {errors[:5]}")


def _ratio(ours: int | None, theirs: int) -> str:
    if ours is None:
        return "n/a"
    if theirs == 0:
        return "1.000" if ours == 0 else "inf"
    return f"{ours / theirs:.3f}"


def run(problem: Problem, seconds: float, seed: int) -> str:
    """Solve one instance both ways, print the comparison, return the RESULT line."""
    bound = floor(problem)
    print(f"\n== {problem.name}: {len(problem.sessions)} sessions, {len(problem.rooms)} rooms")
    print(
        f"floor: weighted={bound['weighted']} track_parallel_pairs="
        f"{bound['track_parallel_pairs']} track_extra_rooms={bound['track_extra_rooms']} "
        "(attendee_conflicts floor 0: counting cannot tell who must clash)"
    )
    result, wall, first = _solve(problem, seconds, seed)
    print(f"ours:   status={result.status.value} seconds={result.seconds:.2f} (wall {wall:.2f})")
    if first is not None:
        print(f"ours:   first feasible schedule after {first:.2f} s (solver clock)")
    if result.goals is not None:
        _checked(problem, "our solver", result.assignments)
        print(f"ours:   objective={result.objective} bound={result.bound} gap={result.gap}")
        print(f"ours:   {_goals_line(result.goals)}")
    else:
        print(f"ours:   no schedule: {' '.join(result.explanation)}")
    placed = greedy(problem, seed=seed, time_limit=wall)
    ratio = "n/a"
    if placed is None:
        print("greedy: no schedule")
    else:
        _checked(problem, "the greedy", placed)
        goals = score(problem, placed)
        theirs = goals.weighted(problem.weights)
        print(f"greedy: objective={theirs} in {wall:.2f} s of restarts")
        print(f"greedy: {_goals_line(goals)}")
        ratio = _ratio(result.objective, theirs)
    return (
        f"RESULT instance={problem.name} status={result.status.value} "
        f"seconds={result.seconds:.2f} objective={result.objective} bound={result.bound} "
        f"gap={result.gap} floor={bound['weighted']} ratio_vs_greedy={ratio}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(SHAPES))
    parser.add_argument("--seconds-summit", type=float, default=10.0)
    parser.add_argument("--seconds-large", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", type=Path)
    args = parser.parse_args()
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="summit-sched-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    seconds = {"summit": args.seconds_summit, "large": args.seconds_large}
    for name in [args.only] if args.only else ["summit", "large"]:
        problem, seed = feasible_problem(SHAPES[name], args.seed)
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(problem_to_json(problem), indent=1), encoding="utf-8")
        print(f"{name}: seed {seed}, written to {path}")
        print(run(problem, seconds[name], args.seed))


if __name__ == "__main__":
    main()
