"""solve(): explain, start greedy, improve with CP-SAT and large-neighbourhood search (S1-S4).

1. Counting checks explain an impossible problem at once (explain.py).
2. One greedy pass gives a first schedule in milliseconds (greedy.py).
3. CP-SAT on the whole model, hinted with it, improves it and proves a lower bound.
4. Large-neighbourhood search (lns.py) spends the rest of the time improving it.

S4: every limit is deterministic time, so the same problem, seed and options give the same
schedule; wall time is only a safety net.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from ortools.sat.python import cp_model

from scheduler.explain import explain
from scheduler.floor import floor
from scheduler.greedy import greedy, work
from scheduler.lns import improve
from scheduler.model import add_hint, build, read_placements
from scheduler.types import Placement, Problem, Progress, Result, SolveOptions, Status
from scheduler.validate import check, score

# On a 2-core machine one second of search is about this many deterministic units.
DETERMINISTIC_PER_SECOND = 0.1
FULL_MODEL_SHARE = 0.4  # of the search time for CP-SAT on the whole model; LNS gets the rest
GREEDY_SHARE = 0.3  # of the time for greedy restarts, counted in passes (repeatable)
SECONDS_PER_WORK = 1.8e-6  # one greedy pass costs about this per unit of greedy.work()
WALL_SLACK = 1.25
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
    search_seconds = options.time_limit
    if not hint:
        passes = int(GREEDY_SHARE * options.time_limit / (SECONDS_PER_WORK * max(work(problem), 1)))
        hint = greedy(problem, seed=options.seed, restarts=min(max(passes, 0), MAX_PASSES)) or ()
        search_seconds *= 1 - GREEDY_SHARE
        if hint and on_progress is not None:  # the first feasible schedule, at once
            value = score(problem, hint).weighted(weights)
            on_progress(Progress(time.perf_counter() - started, value, 0.0))
    budget = search_seconds * DETERMINISTIC_PER_SECOND
    built = build(problem, weights)
    add_hint(built, problem, hint)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = options.seed
    params.num_workers = max(1, options.workers)
    params.interleave_search = options.workers > 1
    params.max_deterministic_time = budget * FULL_MODEL_SHARE if hint else budget
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
    proven = code == cp_model.OPTIMAL
    cp_bound = max(0.0, solver.best_objective_bound) if code != cp_model.UNKNOWN else 0.0
    if not proven:
        spent = float(solver.response_proto.deterministic_time)
        best = improve(
            problem,
            weights,
            best,
            seed=options.seed,
            budget=budget - spent,
            wall_limit=options.time_limit * 2 + 5,
            started=started,
            on_progress=on_progress,
        )
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
