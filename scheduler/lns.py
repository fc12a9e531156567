"""Large-neighbourhood search: free a few dozen sessions, keep the rest where they are, let
CP-SAT place the freed ones optimally, keep the result when it is better, repeat.

Neighbourhoods follow the structure of a summit: one day, one track, or the sessions in the
costliest clashes. Every sub-search is single-threaded, seeded and bounded by deterministic
time, so the whole search is repeatable (S4).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.model import add_hint, build, read_placements
from scheduler.types import Placement, Problem, Progress, Weights
from scheduler.validate import conflict_weights, overlaps, score

SUB_LIMIT = 0.05  # deterministic units for one neighbourhood (about half a second)


@dataclass
class Search:
    problem: Problem
    weights: Weights
    best: tuple[Placement, ...]
    best_value: int
    rng: random.Random
    size: int


def _value(problem: Problem, weights: Weights, placements: tuple[Placement, ...]) -> int:
    return score(problem, placements).weighted(weights)


def _costly(search: Search, pairs: dict[tuple[str, str], int]) -> list[str]:
    """Sessions in the most expensive overlapping pairs of the current schedule."""
    sessions = {s.id: s for s in search.problem.sessions}
    placed = {p.session: p for p in search.best}
    tracks = {s.id: s.track for s in search.problem.sessions}
    w = search.weights
    costs: list[tuple[int, str, str]] = []
    for (a, b), people in pairs.items():
        if overlaps(placed[a], sessions[a].duration_slots, placed[b], sessions[b].duration_slots):
            cost = people * w.attendee_conflict + (
                w.track_parallel_pair if tracks[a] == tracks[b] else 0
            )
            costs.append((cost, a, b))
    costs.sort(reverse=True)
    out: list[str] = []
    for _cost, a, b in costs:
        for sid in (a, b):
            if sid not in out:
                out.append(sid)
    return out


def _neighbourhood(search: Search, pairs: dict[tuple[str, str], int], turn: int) -> set[str]:
    problem, rng = search.problem, search.rng
    ids = [s.id for s in problem.sessions]
    placed = {p.session: p for p in search.best}
    kind = turn % 3
    if kind == 0 and problem.days:
        day = rng.randrange(len(problem.days))
        pool = [sid for sid in ids if placed[sid].day == day]
    elif kind == 1 and problem.tracks:
        track = rng.choice(problem.tracks).id
        pool = [s.id for s in problem.sessions if s.track == track]
        # Their neighbours in time too, so that the track can trade places with others.
        times = {(placed[sid].day, placed[sid].slot) for sid in pool}
        pool += [sid for sid in ids if (placed[sid].day, placed[sid].slot) in times]
    else:
        pool = _costly(search, pairs)[: search.size]
    chosen = list(dict.fromkeys(pool))
    rng.shuffle(chosen)
    chosen = chosen[: search.size]
    while len(chosen) < min(search.size, len(ids)):
        extra = rng.choice(ids)
        if extra not in chosen:
            chosen.append(extra)
    return set(chosen)


def improve(
    problem: Problem,
    weights: Weights,
    start: tuple[Placement, ...],
    *,
    seed: int,
    budget: float,
    wall_limit: float,
    started: float,
    size: int = 12,
    on_progress: Callable[[Progress], None] | None = None,
) -> tuple[Placement, ...]:
    """Improve `start` until `budget` deterministic units are spent (or the wall limit)."""
    search = Search(
        problem,
        weights,
        start,
        _value(problem, weights, start),
        random.Random(seed),  # noqa: S311 - search randomness, not security
        size=min(size, len(problem.sessions)),
    )
    pairs = dict(conflict_weights(problem))
    by_track: dict[str, list[str]] = {}
    for s in problem.sessions:  # same-track pairs matter even when nobody starred both
        by_track.setdefault(s.track, []).append(s.id)
    for members in by_track.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.setdefault((a, b) if a < b else (b, a), 0)
    locked = {p.session for p in problem.locked}
    spent, turn = 0.0, 0
    while spent < budget and time.perf_counter() - started < wall_limit:
        free = _neighbourhood(search, pairs, turn) - locked
        fixed = tuple(p for p in search.best if p.session not in free)
        sub = replace(problem, locked=fixed + tuple(problem.locked))
        placements, used = _solve_part(
            sub, weights, search.best, min(SUB_LIMIT, budget - spent + 0.01), seed + turn
        )
        spent += max(used, 0.005)
        turn += 1
        if placements is None:
            continue
        value = _value(problem, weights, placements)
        if value < search.best_value:
            search.best, search.best_value = placements, value
            if on_progress is not None:
                on_progress(Progress(time.perf_counter() - started, value, 0.0))
    return search.best


def _solve_part(
    sub: Problem, weights: Weights, incumbent: tuple[Placement, ...], limit: float, seed: int
) -> tuple[tuple[Placement, ...] | None, float]:
    """One neighbourhood: single-threaded, seeded, bounded by deterministic time."""
    built = build(sub, weights)
    add_hint(built, sub, incumbent)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = limit
    code = solver.solve(built.model)
    used = float(solver.response_proto.deterministic_time)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, used
    return read_placements(built, sub, solver), used
