"""solve(): named stages with a budget computed up front (S1-S4).

- explain: counting checks explain an impossible problem at once (explain.py).
- start: one greedy pass gives a first schedule in milliseconds; a room plan (plan.py)
  and greedy restarts that follow it give a start near the counting floor (greedy.py).
- improve: rounds of simulated annealing (anneal.py; first with each track kept to its
  rooms, then freely), each followed by CP-SAT repairing a few neighbourhoods around the
  rest (lns.py), at every size.
- bound: on small models, CP-SAT on the whole model, hinted with the best schedule,
  improves it where it can and proves a lower bound; the counting floor (floor.py) is a
  second bound. On big ones the whole model would spend its budget presolving: skipped.

Every stage reads one instance (instance.py) computed once.

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
from scheduler.lns import lns
from scheduler.model import add_hint, build, read_placements
from scheduler.plan import Plan, timed_plan_rooms
from scheduler.types import Placement, Problem, Progress, Result, SolveOptions, Status, Stop
from scheduler.validate import check, conflict_weights, pair, score

# On a 2-core machine one second of search is about this many deterministic units.
DETERMINISTIC_PER_SECOND = 0.1
GREEDY_SHARE = 0.15  # of the work for greedy restarts, counted in passes (repeatable)
LNS_SHARE = 0.25  # of the work for CP-SAT repairing neighbourhoods (lns.py), in steps
WHOLE_MODEL_SHARE = 0.10  # CP-SAT on the whole model (small models only), for a bound
# Annealing gets the rest, counted in moves.
SECONDS_PER_LNS_STEP = 0.08  # one neighbourhood repair of a summit-sized problem, 2 cores
LNS_STEP_SESSIONS = 120  # ...and it grows with the sessions around the neighbourhood
LNS_STEP_DETERMINISTIC = 0.05  # CP-SAT's budget per repair
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
RESERVE_SHARE = 0.06  # of the wall limit, kept for the bound stage and the re-check
MAX_PASSES = 300  # beyond this, restarts stop paying (and tiny problems waste time)


class Clock:
    """The wall clock of one solve: the deadline every stage looks at (S4).

    Stages are budgeted in work (passes, moves, deterministic time), so that a rerun gives
    the same schedule; the clock only cuts a stage short, and then `hit` records that the
    result depends on the machine's speed and load."""

    def __init__(
        self,
        limit: float,
        now: Callable[[], float] = time.perf_counter,
        started: float | None = None,
    ) -> None:
        self.now = now
        self.started = now() if started is None else started
        # Scoring, the bound and the re-check run after the search: keep a little for them.
        self.deadline = self.started + limit * (1 - RESERVE_SHARE)
        self.limit = limit
        self.hit = False

    def elapsed(self) -> float:
        return self.now() - self.started

    def left(self) -> float:
        return max(0.0, self.deadline - self.now())

    def to_limit(self) -> float:
        """Seconds to the limit itself (past the search's deadline): the bound stage's."""
        return max(0.05, self.started + self.limit - self.now())

    def up(self) -> bool:
        """True once the deadline has passed; remembers that the clock stopped a stage.
        (`hit` is only that record: the overtime sets it while time is still left.)"""
        if self.now() >= self.deadline:
            self.hit = True
            return True
        return False


@dataclass(frozen=True, slots=True)
class Budget:
    """Each stage's share of the work, computed once before the search (S4)."""

    greedy_passes: int
    anneal_moves: int
    lns_steps: int  # neighbourhood repairs by CP-SAT (lns.py)
    lns_deterministic: float  # CP-SAT's max_deterministic_time per repair
    cp_deterministic: float  # the whole-model solve's; 0 when it is skipped (big models)


def budget(problem: Problem, work: float, *, cp_sat: bool = True) -> Budget:
    """Split `work` (units of about one idle-machine second) between the stages. Without
    `cp_sat`, annealing gets CP-SAT's shares (the ablation's "annealing without CP-SAT")."""
    small = _clash_pairs(problem) <= MAX_CP_PAIRS
    cp_share = WHOLE_MODEL_SHARE if small and cp_sat else 0.0
    lns_share = LNS_SHARE if cp_sat else 0.0
    anneal_share = 1 - GREEDY_SHARE - cp_share - lns_share
    passes = int(GREEDY_SHARE * work / (SECONDS_PER_WORK * max(greedy_work(problem), 1)))
    moves = min(
        int(work * anneal_share * MOVES_PER_SECOND), MOVES_PER_SESSION * len(problem.sessions)
    )
    # Measured: 0.07 s a step with 120 sessions, 0.33 s with 400 (the fixed rest is bigger).
    step_seconds = SECONDS_PER_LNS_STEP * max(1.0, len(problem.sessions) / LNS_STEP_SESSIONS)
    steps = int(work * lns_share / step_seconds)
    cp = cp_share * work * DETERMINISTIC_PER_SECOND
    return Budget(min(max(passes, 0), MAX_PASSES), moves, steps, LNS_STEP_DETERMINISTIC, cp)


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, clock: Clock, report: Callable[[Progress], None] | None) -> None:
        super().__init__()
        self.clock, self.report = clock, report

    def on_solution_callback(self) -> None:
        if self.report is not None:
            self.report(
                Progress(self.clock.elapsed(), self.objective_value, self.best_objective_bound)
            )


def _improve(
    problem: Problem,
    start: tuple[Placement, ...],
    plan: Budget,
    options: SolveOptions,
    clock: Clock,
    on_progress: Callable[[Progress], None] | None,
) -> tuple[Placement, ...]:
    """The improve stage: rounds of annealing, each followed by CP-SAT repairing a few
    neighbourhoods (lns.py), each round from the best schedule so far. Interleaved, so
    that a clock that runs out early still leaves both their share of the rounds."""
    weights = problem.weights
    best, value = start, score(problem, start).weighted(weights)
    moves = plan.anneal_moves
    size = max(1, min(ANNEAL_CHUNK, moves // ANNEAL_CHUNKS))
    rounds = max(1, -(-moves // size)) if moves else 1
    steps = -(-plan.lns_steps // rounds)  # per round, rounded up
    left = plan.lns_steps
    for chunk in range(rounds):
        if clock.up():
            break
        # Even chunks keep each track in its rooms: the times then settle without the room
        # structure (which single moves cannot rebuild) drifting apart.
        candidate = _round(
            problem,
            best,
            anneal_seed=options.seed + chunk,
            moves=min(moves, size) if moves > 0 else 0,
            keep_rooms=chunk % 2 == 0,
            lns_seed=options.seed * 7919 + chunk,
            steps=min(steps, left) if left > 0 else 0,
            step_deterministic=plan.lns_deterministic,
            stop=clock.up,
            time_left=clock.left,
        )
        moves -= size
        left -= steps
        best, value = _keep_better(problem, (best, value), candidate, clock, on_progress)
    return best


def _keep_better(
    problem: Problem,
    best: tuple[tuple[Placement, ...], int],
    candidate: tuple[Placement, ...],
    clock: Clock,
    on_progress: Callable[[Progress], None] | None,
) -> tuple[tuple[Placement, ...], int]:
    """The better of the best so far (with its value) and a round's candidate; a new best
    is reported as progress."""
    value = score(problem, candidate).weighted(problem.weights)
    if value >= best[1]:
        return best
    if on_progress is not None:
        on_progress(Progress(clock.elapsed(), value, 0.0))
    return candidate, value


def _round(
    problem: Problem,
    best: tuple[Placement, ...],
    *,
    anneal_seed: int,
    moves: int,
    keep_rooms: bool,
    lns_seed: int,
    steps: int,
    step_deterministic: float,
    stop: Callable[[], bool],
    time_left: Callable[[], float],
) -> tuple[Placement, ...]:
    """One round of the improve stage from `best`: annealing (`moves`, keeping each track in
    its rooms or not), then CP-SAT repairing `steps` neighbourhoods around the rest."""
    candidate = best
    if moves > 0:
        candidate = anneal(
            problem,
            best,
            seed=anneal_seed,
            moves=moves,
            t0=ANNEAL_T0,
            keep_rooms=keep_rooms,
            stop=stop,
        )
    if steps > 0 and not stop():
        candidate = lns(
            problem,
            candidate,
            steps=steps,
            seed=lns_seed,
            step_deterministic=step_deterministic,
            stop=stop,
            time_left=time_left,
        )
    return candidate


OVERTIME_MIN_SECONDS = 0.3  # a round shorter than this is not worth starting


def _overtime(
    problem: Problem,
    best: tuple[Placement, ...],
    plan: Budget,
    options: SolveOptions,
    clock: Clock,
    on_progress: Callable[[Progress], None] | None,
) -> tuple[Placement, ...]:
    """Only a wall-clock limit was given (no `--work`): the budget is spent, the clock is not.
    More rounds of annealing and neighbourhood repair, each from the best so far with new
    seeds, until the time the bound stage needs. The result then depends on the machine
    (`stopped_by` says the clock), as it does whenever a wall limit ends a search."""
    reserve = plan.cp_deterministic / DETERMINISTIC_PER_SECOND

    def up() -> bool:
        return clock.left() <= reserve

    weights = problem.weights
    value = score(problem, best).weighted(weights)
    moves = max(plan.anneal_moves // ANNEAL_CHUNKS, MOVES_PER_SESSION)
    steps = max(1, plan.lns_steps // ANNEAL_CHUNKS)
    round_number = 0
    while clock.left() - reserve > OVERTIME_MIN_SECONDS:
        clock.hit = True  # from here on the clock, not the budget, ends the search
        round_number += 1
        seed = (options.seed + 104_729 * round_number) % 65_521  # CP-SAT takes 32-bit seeds
        candidate = _round(
            problem,
            best,
            anneal_seed=seed,
            moves=moves,
            keep_rooms=round_number % 2 == 0,
            lns_seed=seed * 7919,
            steps=steps if plan.lns_steps else 0,
            step_deterministic=plan.lns_deterministic,
            stop=up,
            time_left=lambda: max(0.0, clock.left() - reserve),
        )
        best, value = _keep_better(problem, (best, value), candidate, clock, on_progress)
    return best


def solve(
    problem: Problem,
    options: SolveOptions | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    hint: tuple[Placement, ...] = (),
    now: Callable[[], float] = time.perf_counter,
    started: float | None = None,
) -> Result:
    """Place every session (S1), minimising the weighted goals (S2); explain failure (S3).

    Named stages, budgeted up front: explain, start, improve, bound. `now` is the wall
    clock (injected by tests); `started`, on that clock, is when the caller's wait began
    (before it loaded the problem, say): the limit counts from there."""
    options = options or SolveOptions()
    clock = Clock(options.time_limit, now, started)
    reasons = explain(problem)
    if reasons:
        return Result(
            Status.INFEASIBLE, clock.elapsed(), explanation=tuple(reasons), stopped_by=Stop.DONE
        )
    weights = options.weights or problem.weights
    problem = replace(problem, weights=weights)
    work = options.time_limit if options.work is None else options.work
    plan = budget(problem, work, cp_sat=options.cp_sat)
    start = _start(problem, plan, options, clock, on_progress, hint)
    if start:
        start = _improve(problem, start, plan, options, clock, on_progress)
    if start and options.work is None:
        start = _overtime(problem, start, plan, options, clock, on_progress)
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
    lower = 0
    if not proven:
        lower = floor(problem, seconds=clock.to_limit())["weighted"]
    bound = objective if proven else min(objective, max(cp_bound, lower))
    errors = check(problem, best)
    if errors:  # the model and the checker disagree: a bug, never a silent bad schedule
        raise AssertionError("solver result breaks hard rules: " + "; ".join(map(str, errors)))
    status = Status.OPTIMAL if proven or objective <= bound else Status.FEASIBLE
    gap = 0.0 if objective == 0 else round(max(0.0, (objective - bound) / objective), 4)
    # The clock first: even a schedule proved best may differ in a rerun it cut short.
    stopped = Stop.DONE if status == Status.OPTIMAL else Stop.WORK
    if clock.hit:
        stopped = Stop.CLOCK
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
