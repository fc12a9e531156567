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

S4: every budget is counted in passes, moves or deterministic time (`budget()`, computed
once from the work), so the same problem, seed and work give the same schedule. The
wall-clock limit is a deadline every stage looks at (`Clock`); when it cuts a stage short,
the result says so (`stopped_by`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import combinations

from ortools.sat.python import cp_model

from scheduler.anneal import anneal
from scheduler.explain import explain
from scheduler.floor import floor
from scheduler.greedy import greedy
from scheduler.greedy import work as greedy_work
from scheduler.model import add_hint, build, read_placements
from scheduler.plan import Plan, timed_plan_rooms
from scheduler.types import Placement, Problem, Progress, Result, SolveOptions, Status, Stop
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
RESERVE_SHARE = 0.04  # of the wall limit, kept for scoring, the bound and the re-check
MAX_PASSES = 300  # beyond this, restarts stop paying (and tiny problems waste time)


class Clock:
    """The wall clock of one solve: the deadline every stage looks at (S4).

    Stages are budgeted in work (passes, moves, deterministic time), so that a rerun gives
    the same schedule; the clock only cuts a stage short, and then `hit` records that the
    result depends on the machine's speed and load."""

    def __init__(self, limit: float, now: Callable[[], float] = time.perf_counter) -> None:
        self.now = now
        self.started = now()
        # Scoring, the bound and the re-check run after the search: keep a little for them.
        self.deadline = self.started + limit * (1 - RESERVE_SHARE)
        self.limit = limit
        self.hit = False

    def elapsed(self) -> float:
        return self.now() - self.started

    def left(self) -> float:
        return max(0.0, self.deadline - self.now())

    def up(self) -> bool:
        """True once the deadline has passed; remembers that the clock stopped a stage."""
        if not self.hit and self.now() >= self.deadline:
            self.hit = True
        return self.hit


@dataclass(frozen=True, slots=True)
class Budget:
    """Each stage's share of the work, computed once before the search (S4)."""

    greedy_passes: int
    anneal_moves: int
    cp_deterministic: float  # CP-SAT's max_deterministic_time; 0 when CP-SAT is skipped


def budget(problem: Problem, work: float) -> Budget:
    """Split `work` (units of about one idle-machine second) between the stages."""
    small = _clash_pairs(problem) <= MAX_CP_PAIRS
    anneal_share = ANNEAL_SHARE if small else 1 - GREEDY_SHARE
    passes = int(GREEDY_SHARE * work / (SECONDS_PER_WORK * max(greedy_work(problem), 1)))
    moves = min(
        int(work * anneal_share * MOVES_PER_SECOND), MOVES_PER_SESSION * len(problem.sessions)
    )
    cp = (1 - ANNEAL_SHARE - GREEDY_SHARE) * work * DETERMINISTIC_PER_SECOND if small else 0.0
    return Budget(min(max(passes, 0), MAX_PASSES), moves, cp)


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, clock: Clock, report: Callable[[Progress], None] | None) -> None:
        super().__init__()
        self.clock, self.report = clock, report

    def on_solution_callback(self) -> None:
        if self.report is not None:
            self.report(
                Progress(self.clock.elapsed(), self.objective_value, self.best_objective_bound)
            )


def _anneal(
    problem: Problem,
    start: tuple[Placement, ...],
    moves: int,
    options: SolveOptions,
    clock: Clock,
    on_progress: Callable[[Progress], None] | None,
) -> tuple[Placement, ...]:
    """Annealing in chunks, each from the best schedule so far, for the moves budgeted."""
    best, value = start, score(problem, start).weighted(problem.weights)
    size = max(1, min(ANNEAL_CHUNK, moves // ANNEAL_CHUNKS))
    chunk = 0
    while moves > 0 and not clock.up():
        # Even chunks keep each track in its rooms: the times then settle without the
        # room structure (which single moves cannot rebuild) drifting apart.
        candidate = anneal(
            problem,
            best,
            seed=options.seed + chunk,
            moves=min(moves, size),
            t0=ANNEAL_T0,
            keep_rooms=chunk % 2 == 0,
            stop=clock.up,
        )
        moves -= size
        chunk += 1
        candidate_value = score(problem, candidate).weighted(problem.weights)
        if candidate_value < value:
            best, value = candidate, candidate_value
            if on_progress is not None:
                on_progress(Progress(clock.elapsed(), value, 0.0))
    return best


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    hint: tuple[Placement, ...] = (),
    now: Callable[[], float] = time.perf_counter,
) -> Result:
    """Place every session (S1), minimising the weighted goals (S2); explain failure (S3).

    Named stages, budgeted up front: explain, start, improve, bound. `now` is the wall
    clock (injected by tests)."""
    options = options or SolveOptions()
    clock = Clock(options.time_limit, now)
    reasons = explain(problem)
    if reasons:
        return Result(
            Status.INFEASIBLE, clock.elapsed(), explanation=tuple(reasons), stopped_by=Stop.DONE
        )
    weights = options.weights or problem.weights
    problem = replace(problem, weights=weights)
    work = options.time_limit if options.work is None else options.work
    plan = budget(problem, work)
    start = _start(problem, plan, options, clock, on_progress, hint)
    if start:
        start = _anneal(problem, start, plan.anneal_moves, options, clock, on_progress)
    if plan.cp_deterministic <= 0 and start:
        return _result(problem, start, clock, proven=False, cp_bound=0.0)
    if clock.up() and start:
        return _result(problem, start, clock, proven=False, cp_bound=0.0)
    return _whole_model(problem, start, plan, options, clock, on_progress, work)


def _start(
    problem: Problem,
    plan: Budget,
    options: SolveOptions,
    clock: Clock,
    on_progress: Callable[[Progress], None] | None,
    hint: tuple[Placement, ...],
) -> tuple[Placement, ...]:
    """The start stage: the caller's hint if it is still valid, else greedy restarts
    (following a room plan when extra rooms cost); () when the greedy finds nothing."""
    weights = problem.weights
    if hint and (len(hint) != len(problem.sessions) or check(problem, hint)):
        # A draft that misses sessions (accepted since the last solve) or breaks a rule
        # now (a room closed since) cannot seed the search; `previous` still keeps moves few.
        hint = ()
    if hint:
        return hint
    # One pass first, so that a schedule exists (and is reported) within a second.
    first = greedy(problem, seed=options.seed)
    if first and on_progress is not None:
        on_progress(Progress(clock.elapsed(), score(problem, first).weighted(weights), 0.0))
    rooms: Plan = {}
    if weights.track_extra_room and not clock.up():
        rooms, hit = timed_plan_rooms(problem, seed=options.seed, seconds=clock.left())
        clock.hit = clock.hit or hit
    stop = clock.up
    planned = None
    if rooms and not clock.up():
        planned = greedy(
            problem, seed=options.seed, restarts=plan.greedy_passes, plan=rooms, stop=stop
        )
    if not planned and not clock.up():  # no plan, or the greedy could not follow it
        planned = greedy(problem, seed=options.seed, restarts=plan.greedy_passes, stop=stop)
    starts = [s for s in (planned, first) if s]
    return min(starts, key=lambda s: score(problem, s).weighted(weights)) if starts else ()


def _whole_model(
    problem: Problem,
    hint: tuple[Placement, ...],
    plan: Budget,
    options: SolveOptions,
    clock: Clock,
    on_progress: Callable[[Progress], None] | None,
    work: float,
) -> Result:
    """CP-SAT on the whole model, hinted with the best schedule so far: improves it where
    it can and proves a bound. Without a hint it searches for a first schedule."""
    deterministic = plan.cp_deterministic
    if not hint:
        # Nothing to improve on: CP-SAT searches for a first schedule with all the work left.
        deterministic = max(deterministic, work * (1 - GREEDY_SHARE) * DETERMINISTIC_PER_SECOND)
    built = build(problem, problem.weights)
    add_hint(built, problem, hint)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = options.seed
    params.num_workers = max(1, options.workers)
    params.interleave_search = options.workers > 1
    params.max_deterministic_time = deterministic
    wall = max(0.05, clock.left())
    params.max_time_in_seconds = wall
    params.log_search_progress = options.log
    code = solver.solve(built.model, _Watcher(clock, on_progress))
    if code not in (cp_model.OPTIMAL, cp_model.INFEASIBLE) and solver.wall_time >= wall * 0.95:
        clock.hit = True
    if code == cp_model.INFEASIBLE:
        return Result(
            Status.INFEASIBLE,
            clock.elapsed(),
            explanation=(
                "No schedule satisfies every rule at once; unlock some sessions, or add rooms "
                "or slots.",
            ),
            stopped_by=Stop.DONE,
        )
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = read_placements(built, problem, solver)
    elif hint:
        best = hint
    else:
        return Result(
            Status.UNKNOWN,
            clock.elapsed(),
            explanation=(
                f"No schedule was found within the time limit ({options.time_limit:g} s).",
            ),
            stopped_by=Stop.CLOCK if clock.hit else Stop.WORK,
        )
    weights = problem.weights
    if hint and score(problem, hint).weighted(weights) < score(problem, best).weighted(weights):
        best = hint  # CP-SAT stopped before it got back to the hint
    proven = code == cp_model.OPTIMAL
    cp_bound = max(0.0, solver.best_objective_bound) if code != cp_model.UNKNOWN else 0.0
    return _result(problem, best, clock, proven=proven, cp_bound=cp_bound)


def _result(
    problem: Problem,
    best: tuple[Placement, ...],
    clock: Clock,
    *,
    proven: bool,
    cp_bound: float,
) -> Result:
    """The bound stage and the result: goals, objective, the better bound, gap; re-checked."""
    weights = problem.weights
    goals = score(problem, best)
    objective = goals.weighted(weights)
    bound = objective if proven else min(objective, max(cp_bound, floor(problem)["weighted"]))
    errors = check(problem, best)
    if errors:  # the model and the checker disagree: a bug, never a silent bad schedule
        raise AssertionError("solver result breaks hard rules: " + "; ".join(map(str, errors)))
    status = Status.OPTIMAL if proven or objective <= bound else Status.FEASIBLE
    gap = 0.0 if objective == 0 else round(max(0.0, (objective - bound) / objective), 4)
    stopped = Stop.CLOCK if clock.hit else Stop.WORK
    if status == Status.OPTIMAL:
        stopped = Stop.DONE
    return Result(
        status,
        clock.elapsed(),
        objective=objective,
        bound=round(bound, 3),
        gap=gap,
        goals=goals,
        assignments=best,
        stopped_by=stopped,
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
