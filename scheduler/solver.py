"""solve(): explain, start greedy, anneal, then CP-SAT for a bound (S1-S4).

1. Counting checks explain an impossible problem at once (explain.py).
2. One greedy pass gives a first schedule in milliseconds (greedy.py).
3. A room plan (plan.py) gives each track its home rooms; greedy restarts that follow it
   give a start near the counting floor for extra rooms and parallel pairs.
4. Simulated annealing (anneal.py) improves it: first with each track kept to its rooms
   (times only), then freely; relocations and swaps, costed incrementally.
5. On small models, CP-SAT on the whole model, hinted with the best schedule, improves it
   where it can and proves a lower bound; the counting floor (floor.py) is a second bound.
   On big ones it would spend the whole budget building and presolving, so it is skipped.

S4: every budget is counted in passes, moves or deterministic time, so the same problem,
seed and options give the same schedule; wall time is only a safety net.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from itertools import combinations

from ortools.sat.python import cp_model

from scheduler.anneal import anneal
from scheduler.explain import explain
from scheduler.floor import floor
from scheduler.greedy import greedy, work
from scheduler.model import add_hint, build, read_placements
from scheduler.plan import plan_rooms
from scheduler.types import Placement, Problem, Progress, Result, SolveOptions, Status
from scheduler.validate import check, conflict_weights, pair, score

# On a 2-core machine one second of search is about this many deterministic units.
DETERMINISTIC_PER_SECOND = 0.1
GREEDY_SHARE = 0.15  # of the time for greedy restarts, counted in passes (repeatable)
ANNEAL_SHARE = 0.75  # of the time for annealing, counted in moves; CP-SAT gets the rest
MOVES_PER_SECOND = 60_000  # annealing moves per second on a 2-core machine
# Each chunk re-heats from the best schedule so far; at least ANNEAL_CHUNKS of them, so
# that small budgets too alternate between keeping rooms and moving freely.
ANNEAL_CHUNK = 1_000_000
ANNEAL_CHUNKS = 4
ANNEAL_T0 = 3.0  # starting temperature: a parallel pair (10) is accepted now and then
# Beyond this many clash terms (pairs of sessions that cost when they overlap) CP-SAT
# cannot even get back to the hint in the time; annealing gets its share instead.
MAX_CP_PAIRS = 5_000
MOVES_PER_SESSION = 10_000  # small problems need few moves (CP-SAT settles them)
SECONDS_PER_WORK = 1.8e-6  # one greedy pass costs about this per unit of greedy.work()
WALL_SLACK = 1.25  # CP-SAT's wall limit: a safety net beyond the deterministic budget
# Annealing stops early only in an emergency (a machine far slower than calibrated): a
# check that binds in normal runs would make the schedule depend on the machine's load (S4).
ANNEAL_EMERGENCY = 3.0
MAX_PASSES = 300  # beyond this, restarts stop paying (and tiny problems waste time)


def elapsed(started: float) -> float:
    return time.perf_counter() - started


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, report: Callable[[Progress], None] | None) -> None:
        super().__init__()
        self.started, self.report = started, report

    def on_solution_callback(self) -> None:
        if self.report is not None:
            self.report(
                Progress(
                    time.perf_counter() - self.started,
                    self.objective_value,
                    self.best_objective_bound,
                )
            )


def _anneal(
    problem: Problem,
    start: tuple[Placement, ...],
    seconds: float,
    options: SolveOptions,
    started: float,
    on_progress: Callable[[Progress], None] | None,
) -> tuple[Placement, ...]:
    """Annealing in chunks, each from the best schedule so far, for the moves budgeted."""
    moves = min(int(seconds * MOVES_PER_SECOND), MOVES_PER_SESSION * len(problem.sessions))
    best, value = start, score(problem, start).weighted(problem.weights)
    size = max(1, min(ANNEAL_CHUNK, moves // ANNEAL_CHUNKS))
    chunk = 0
    while moves > 0 and elapsed(started) < options.time_limit * ANNEAL_EMERGENCY:
        # Even chunks keep each track in its rooms: the times then settle without the
        # room structure (which single moves cannot rebuild) drifting apart.
        candidate = anneal(
            problem,
            best,
            seed=options.seed + chunk,
            moves=min(moves, size),
            t0=ANNEAL_T0,
            keep_rooms=chunk % 2 == 0,
        )
        moves -= size
        chunk += 1
        candidate_value = score(problem, candidate).weighted(problem.weights)
        if candidate_value < value:
            best, value = candidate, candidate_value
            if on_progress is not None:
                on_progress(Progress(elapsed(started), value, 0.0))
    return best


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    hint: tuple[Placement, ...] = (),
) -> Result:
    """Place every session (S1), minimising the weighted goals (S2); explain failure (S3)."""
    options = options or SolveOptions()
    started = time.perf_counter()
    reasons = explain(problem)
    if reasons:
        return Result(Status.INFEASIBLE, time.perf_counter() - started, explanation=tuple(reasons))
    weights = options.weights or problem.weights
    problem = replace(problem, weights=weights)
    small = _clash_pairs(problem) <= MAX_CP_PAIRS
    search_seconds = options.time_limit * (1 - ANNEAL_SHARE)
    anneal_seconds = options.time_limit * ANNEAL_SHARE
    if not small:
        anneal_seconds, search_seconds = anneal_seconds + search_seconds, 0.0
    if hint and (len(hint) != len(problem.sessions) or check(problem, hint)):
        # A draft that misses sessions (accepted since the last solve) or breaks a rule
        # now (a room closed since) cannot seed the search; `previous` still keeps moves few.
        hint = ()
    if not hint:
        # One pass first, so that a schedule exists (and is reported) within a second.
        first = greedy(problem, seed=options.seed)
        if first and on_progress is not None:
            on_progress(Progress(elapsed(started), score(problem, first).weighted(weights), 0.0))
        passes = int(GREEDY_SHARE * options.time_limit / (SECONDS_PER_WORK * max(work(problem), 1)))
        passes = min(max(passes, 0), MAX_PASSES)
        plan = plan_rooms(problem, seed=options.seed) if weights.track_extra_room else {}
        planned = greedy(problem, seed=options.seed, restarts=passes, plan=plan) if plan else None
        if not planned:  # no plan, or the greedy could not follow it: plain restarts
            planned = greedy(problem, seed=options.seed, restarts=passes)
        starts = [s for s in (planned, first) if s]
        hint = min(starts, key=lambda s: score(problem, s).weighted(weights)) if starts else ()
        if small:
            search_seconds -= options.time_limit * GREEDY_SHARE
        else:
            anneal_seconds -= options.time_limit * GREEDY_SHARE
    if hint:
        hint = _anneal(problem, hint, anneal_seconds, options, started, on_progress)
    if not small and hint:
        return _result(problem, hint, started, proven=False, cp_bound=0.0)
    if not hint:
        # Nothing to improve on: CP-SAT searches for a first schedule with all the time left.
        search_seconds = max(search_seconds, options.time_limit * (1 - GREEDY_SHARE))
    budget = search_seconds * DETERMINISTIC_PER_SECOND
    built = build(problem, weights)
    add_hint(built, problem, hint)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = options.seed
    params.num_workers = max(1, options.workers)
    params.interleave_search = options.workers > 1
    params.max_deterministic_time = budget
    # Wall time is a safety net that keeps the caller's limit on big problems, where the
    # calibration above runs long; when it binds, a rerun may differ.
    params.max_time_in_seconds = max(0.5, options.time_limit * WALL_SLACK - elapsed(started))
    params.log_search_progress = options.log
    code = solver.solve(built.model, _Watcher(started, on_progress))
    if code == cp_model.INFEASIBLE:
        return Result(
            Status.INFEASIBLE,
            time.perf_counter() - started,
            explanation=(
                "No schedule satisfies every rule at once; unlock some sessions, or add rooms "
                "or slots.",
            ),
        )
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = read_placements(built, problem, solver)
    elif hint:
        best = hint
    else:
        return Result(
            Status.UNKNOWN,
            time.perf_counter() - started,
            explanation=(
                f"No schedule was found within the time limit ({options.time_limit:g} s).",
            ),
        )
    if hint and score(problem, hint).weighted(weights) < score(problem, best).weighted(weights):
        best = hint  # CP-SAT stopped before it got back to the hint
    proven = code == cp_model.OPTIMAL
    cp_bound = max(0.0, solver.best_objective_bound) if code != cp_model.UNKNOWN else 0.0
    return _result(problem, best, started, proven=proven, cp_bound=cp_bound)


def _result(
    problem: Problem,
    best: tuple[Placement, ...],
    started: float,
    *,
    proven: bool,
    cp_bound: float,
) -> Result:
    """The result for a schedule: goals, objective, the better bound, gap; re-checked."""
    weights = problem.weights
    goals = score(problem, best)
    objective = goals.weighted(weights)
    bound = objective if proven else min(objective, max(cp_bound, floor(problem)["weighted"]))
    errors = check(problem, best)
    if errors:  # the model and the checker disagree: a bug, never a silent bad schedule
        raise AssertionError("solver result breaks hard rules: " + "; ".join(errors))
    status = Status.OPTIMAL if proven or objective <= bound else Status.FEASIBLE
    gap = 0.0 if objective == 0 else round(max(0.0, (objective - bound) / objective), 4)
    return Result(
        status,
        time.perf_counter() - started,
        objective=objective,
        bound=round(bound, 3),
        gap=gap,
        goals=goals,
        assignments=best,
    )


def _clash_pairs(problem: Problem) -> int:
    """How many pairs of sessions cost something when they overlap: the CP-SAT model's size."""
    pairs = {key for key, w in conflict_weights(problem).items() if w > 0}
    by_track: defaultdict[str, list[str]] = defaultdict(list)
    for s in problem.sessions:
        by_track[s.track].append(s.id)
    if problem.weights.track_parallel_pair:
        for members in by_track.values():
            pairs.update(pair(a, b) for a, b in combinations(members, 2))
    return len(pairs)
