"""Scheduler benchmark: our solver against greedy restarts given the same wall time.

A family of seeded problems in the `summit-sched-instance` format, 10 seeds per shape by
default, each written as JSON:

- *summit*: 120 sessions, 6 rooms, 3 days × 8 slots (morning and afternoon blocks of 4),
  rooms about 90 % full;
- *large*: 400 sessions, 12 rooms, 4 days × 10 slots (blocks of 5), leads owning 1–4
  sessions across tracks, ~8 % two-slot sessions, 9 tracks, a "Release management" track
  allowed only on the first morning, ~1000 attendees with Zipf-like interest, some leads
  arriving late or leaving early;
- *mixed*: summit-sized, rooms of 160 down to 30 seats, attendance that forces sessions
  into the big rooms; *explicit*: clash weights given as a `conflicts` list;
  *bigtrack*: one track of 30 sessions, more than one room's 24 slots; *tight*: about
  95 % of the room-slots filled; *twoslot*: half the sessions take two slots; *leads*:
  leads with several sessions, 30 % of them away for a morning or an afternoon.

Goals weigh attendee_conflict 1, track_parallel_pair 10, track_extra_room 20. A seed whose
problem the greedy cannot place is skipped for the next one. Every schedule is re-checked
with validate.check.

    .venv/bin/python benchmarks/solver.py [--shapes summit,mixed] [--seeds 10] [--seed 1]
        [--seconds-summit 10] [--seconds-large 60] [--ablation] [--time-check] [--quick]

Per instance the last line reads
`RESULT instance=… status=… seconds=… objective=… bound=… gap=… floor=… ratio_vs_greedy=…`;
per shape, `RESULT family=… median_ratio=… worst_ratio=… max_overrun_s=…`. With
`--ablation`, annealing without CP-SAT runs too for the same time (`ABLATION family=…`);
with `--time-check`, the shape's first problem is solved twice at once, in two processes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path
from statistics import median

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
from scheduler.validate import check, conflict_weights, score

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
    attendance_scale: float = 1.0  # > 1: attendance that binds (big sessions, big rooms)
    explicit: bool = False  # clash weights given as a `conflicts` list, not from interest
    big_track: int = 0  # sessions in one track, more than one room's slots can hold
    lead_sizes: tuple[int, int, int, int] = (4, 3, 2, 1)  # weights of leads with 1-4 sessions


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
_SUMMIT = SHAPES["summit"]
SHAPES |= {
    # Rooms of very different sizes, attendance that forces sessions into the big rooms.
    "mixed": replace(
        _SUMMIT, name="mixed", capacities=(160, 120, 80, 60, 40, 30), attendance_scale=1.6
    ),
    "explicit": replace(_SUMMIT, name="explicit", explicit=True),
    "bigtrack": replace(_SUMMIT, name="bigtrack", big_track=30),  # a room has 24 slots
    "tight": replace(_SUMMIT, name="tight", sessions=126),  # about 95 % of the room-slots
    "twoslot": replace(_SUMMIT, name="twoslot", sessions=90, two_slot=0.5),
    "leads": replace(_SUMMIT, name="leads", lead_sizes=(1, 2, 3, 4), away=0.3),
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
    if shape.big_track:
        of_session += ["t0"] * shape.big_track
    sizes = [rng.uniform(0.5, 1.5) for _ in names]
    if shape.big_track:
        sizes[0] = 0.0  # t0 has its sessions already
    rest = shape.sessions - len(of_session)
    of_session += rng.choices([t.id for t in tracks[: len(names)]], weights=sizes, k=rest)
    return tracks, of_session


def _leads(n_sessions: int, rng: random.Random, sizes: tuple[int, ...] = (4, 3, 2, 1)) -> list[int]:
    """The lead (a person number) of each session: each lead owns 1–4 sessions."""
    order = list(range(n_sessions))
    rng.shuffle(order)
    lead_of = [0] * n_sessions
    person = 0
    while order:
        for _ in range(rng.choices([1, 2, 3, 4], weights=sizes)[0]):
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
    scale = shape.attendance_scale
    expected = [max(8, int(c * scale * rng.uniform(0.5, 0.9))) for c in interest]
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
    lead_of = _leads(n, rng, shape.lead_sizes)
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
    conflicts = None
    if shape.explicit:
        # Weights an organizer typed in: from who is interested, reweighted at random, and
        # the interest lists dropped.
        shared = conflict_weights(replace(_bare(sessions), conflicts=None))
        conflicts = tuple(
            (a, b, w * rng.randint(1, 5)) for (a, b), w in sorted(shared.items()) if w > 0
        )
        sessions = tuple(replace(x, interested=()) for x in sessions)
    rooms = tuple(Room(f"room-{r:02d}", f"Room {r + 1}", c) for r, c in enumerate(shape.capacities))
    return Problem(
        name=shape.name,
        days=days,
        rooms=rooms,
        tracks=tuple(tracks),
        people=tuple(_people(shape, max(lead_of) + 1, days, release_leads, rng)),
        sessions=sessions,
        weights=WEIGHTS,
        conflicts=conflicts,
        slot_minutes=45,
    )


def _bare(sessions: tuple[Session, ...]) -> Problem:
    return Problem("bare", (), (), (), (), sessions)


def feasible_problem(shape: Shape, seed: int, tries: int = 50) -> tuple[Problem, int]:
    """The first problem from `seed` on that the greedy can place, and its seed."""
    for s in range(seed, seed + tries):
        problem = generate(shape, s)
        if greedy(problem) is not None:
            return problem, s
        print(f"{shape.name}: seed {s} gives a problem the greedy cannot place; next seed")
    raise SystemExit(f"{shape.name}: no feasible problem in {tries} seeds")


# ------------------------------------------------------------------ running and reporting


def _solve(
    problem: Problem, seconds: float, seed: int, *, cp_sat: bool = True
) -> tuple[Result, float, float | None]:
    """Our solver's result, its wall time, and when it found its first schedule."""
    first: list[float] = []

    def on_progress(progress: Progress) -> None:
        if not first:
            first.append(progress.seconds)

    options = SolveOptions(time_limit=seconds, seed=seed, cp_sat=cp_sat)
    started = time.perf_counter()
    result = solve(problem, options, on_progress=on_progress)
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


def _ratio(ours: int | None, theirs: int) -> float | None:
    if ours is None:
        return None
    if theirs == 0:
        return 1.0 if ours == 0 else float("inf")
    return ours / theirs


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


@dataclass(frozen=True)
class Outcome:
    ratio: float | None  # ours / greedy with restarts for the same wall time
    overrun: float  # wall time beyond the limit (negative: within it)
    first: float | None  # seconds to the first schedule
    gap: float | None
    stopped: str
    anneal_ratio: float | None = None  # the ablation: annealing without CP-SAT, same time


def run(problem: Problem, seconds: float, seed: int, *, ablation: bool = False) -> Outcome:
    """Solve one instance our way and by greedy restarts for the same wall time; print the
    comparison and the RESULT line."""
    bound = floor(problem)
    print(f"\n== {problem.name}: {len(problem.sessions)} sessions, {len(problem.rooms)} rooms")
    print(
        f"floor: weighted={bound['weighted']} track_parallel_pairs="
        f"{bound['track_parallel_pairs']} track_extra_rooms={bound['track_extra_rooms']}"
    )
    result, wall, first = _solve(problem, seconds, seed)
    print(
        f"ours:   status={result.status.value} seconds={result.seconds:.2f} (wall {wall:.2f}) "
        f"stopped_by={result.stopped_by.value}"
    )
    if first is not None:
        print(f"ours:   first schedule after {first:.2f} s")
    if result.goals is not None:
        _checked(problem, "our solver", result.assignments)
        print(f"ours:   objective={result.objective} bound={result.bound} gap={result.gap}")
        print(f"ours:   {_goals_line(result.goals)}")
    else:
        print(f"ours:   no schedule: {' '.join(result.explanation)}")
    placed = greedy(problem, seed=seed, time_limit=wall)
    ratio = anneal_ratio = None
    if placed is None:
        print("greedy: no schedule")
    else:
        _checked(problem, "the greedy", placed)
        goals = score(problem, placed)
        theirs = goals.weighted(problem.weights)
        print(f"greedy: objective={theirs} in {wall:.2f} s of restarts")
        print(f"greedy: {_goals_line(goals)}")
        ratio = _ratio(result.objective, theirs)
        if ablation:
            plain, plain_wall, _ = _solve(problem, seconds, seed, cp_sat=False)
            if plain.goals is not None:
                _checked(problem, "annealing without CP-SAT", plain.assignments)
            anneal_ratio = _ratio(plain.objective, theirs)
            print(
                f"ablation: greedy restarts={theirs} annealing without CP-SAT={plain.objective} "
                f"(wall {plain_wall:.2f}) full pipeline={result.objective}"
            )
    print(
        f"RESULT instance={problem.name} status={result.status.value} "
        f"seconds={result.seconds:.2f} objective={result.objective} bound={result.bound} "
        f"gap={result.gap} floor={bound['weighted']} ratio_vs_greedy={_fmt(ratio)}"
    )
    return Outcome(ratio, wall - seconds, first, result.gap, result.stopped_by.value, anneal_ratio)


def family(name: str, outcomes: list[Outcome], seconds: float, ablation: bool) -> None:
    """The shape's line: median and worst ratio, the largest overrun, first schedule, gap."""
    ratios = [o.ratio for o in outcomes if o.ratio is not None]
    gaps = [o.gap for o in outcomes if o.gap is not None]
    firsts = [o.first for o in outcomes if o.first is not None]
    stops = ",".join(f"{k}:{v}" for k, v in sorted(Counter(o.stopped for o in outcomes).items()))
    line = (
        f"RESULT family={name} seeds={len(outcomes)} seconds={seconds:g} "
        f"median_ratio={_fmt(median(ratios) if ratios else None)} "
        f"worst_ratio={_fmt(max(ratios) if ratios else None)} "
        f"max_overrun_s={max(o.overrun for o in outcomes):.2f} "
        f"max_first_s={_fmt(max(firsts) if firsts else None)} "
        f"median_gap={_fmt(median(gaps) if gaps else None)} stopped_by={stops}"
    )
    print(line)
    if ablation:
        plain = [o.anneal_ratio for o in outcomes if o.anneal_ratio is not None]
        print(
            f"ABLATION family={name} greedy_restarts=1.000 "
            f"annealing_without_cp_sat_median={_fmt(median(plain) if plain else None)} "
            f"worst={_fmt(max(plain) if plain else None)} "
            f"full_pipeline_median={_fmt(median(ratios) if ratios else None)} "
            f"worst={_fmt(max(ratios) if ratios else None)}"
        )


def time_check(path: Path, seconds: float) -> None:
    """The same solve twice at once, as two processes on the same machine: wall times."""
    command = [sys.executable, "-m", "scheduler", "solve", str(path), "--time-limit"]
    command += [f"{seconds:g}", "--out", os.devnull]
    started = time.perf_counter()
    runs = [
        subprocess.Popen([*command, "--seed", str(k)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
        for k in (1, 2)
    ]
    for k, process in enumerate(runs, 1):
        _out, err = process.communicate()
        wall = time.perf_counter() - started
        said = err.strip().splitlines()[0] if err.strip() else ""
        limit = seconds * 1.1 + 1
        print(
            f"TIMECHECK {path.stem} solve {k} beside another: process wall {wall:.2f} s "
            f"(limit {seconds:g} s, allowed {limit:.1f} s, including ~0.7 s of imports) "
            f"{'OK' if wall <= limit else 'OVER'}: {said}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per shape")
    parser.add_argument("--seed", type=int, default=1, help="the first seed")
    parser.add_argument("--seconds-summit", type=float, default=10.0)
    parser.add_argument("--seconds-large", type=float, default=60.0)
    parser.add_argument("--ablation", action="store_true", help="also annealing alone")
    parser.add_argument("--time-check", action="store_true", help="two solves at once")
    parser.add_argument(
        "--quick", action="store_true", help="3 seeds, 5 s (large 15 s): a few minutes"
    )
    parser.add_argument("--out-dir", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.seconds_summit, args.seconds_large = 3, 5.0, 15.0
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="summit-sched-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.shapes.split(","):
        shape = SHAPES[name]
        seconds = args.seconds_large if shape.sessions >= 300 else args.seconds_summit
        outcomes = []
        seed = args.seed
        for _ in range(args.seeds):
            problem, used = feasible_problem(shape, seed)
            seed = used + 1
            path = out_dir / f"{name}-{used}.json"
            path.write_text(json.dumps(problem_to_json(problem), indent=1), encoding="utf-8")
            print(f"{name}: seed {used}, written to {path}")
            outcomes.append(run(problem, seconds, used, ablation=args.ablation))
        family(name, outcomes, seconds, args.ablation)
        if args.time_check:
            time_check(out_dir / f"{name}-{args.seed}.json", seconds)


if __name__ == "__main__":
    main()
