"""Home rooms: which rooms each track keeps to, and how many slots it gets in each block.

Extra rooms cost as much as two parallel pairs, and a search that moves one session at a
time cannot take a track out of a room (every session there must leave at once). So the
rooms are planned first, on counts alone, in two small CP-SAT models:

1. Rooms: a track's slot-units go to as few rooms as possible; a room holds one session
   per period; a track's big sessions need rooms big enough (for every capacity c, its
   units that need more than c fit in the rooms above c: rooms are nested by capacity,
   so this is enough).
2. Blocks: the same per block (a morning, an afternoon), keeping the rooms of step 1 and
   adding one only where it saves more than it costs: a track with more units in a block
   than the periods it can use there has at least the difference in parallel pairs. (A
   track confined to a window takes those periods of its rooms from the others.)

The greedy then places each session in its track's home rooms, in the blocks planned
(greedy.py), at the time that clashes least. Both models are bounded in deterministic
time with one worker, so the plan is repeatable (S4).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.explain import blocks
from scheduler.floor import periods_by_room, track_room_model
from scheduler.instance import instance
from scheduler.types import Problem, Session

Plan = dict[tuple[str, str, int], int]  # (track, room, block number) -> slot-units there

PLAN_DETERMINISTIC_TIME = 2.0


def block_of(problem: Problem) -> dict[tuple[int, int], int]:
    """(day, slot) -> the number of its block, counted over all days (explain.blocks)."""
    return {(day, t): b for b, (day, slots) in enumerate(blocks(problem)) for t in slots}


def plan_rooms(problem: Problem, *, seed: int = 0, seconds: float | None = None) -> Plan:
    """See timed_plan_rooms; the plan alone."""
    return timed_plan_rooms(problem, seed=seed, seconds=seconds)[0]


def timed_plan_rooms(
    problem: Problem, *, seed: int = 0, seconds: float | None = None
) -> tuple[Plan, bool]:
    """Each track's slot-units per home room and block (empty if no plan was found), and
    whether the wall clock stopped the search.

    Per block, a track with more units than periods has at least the difference in
    parallel pairs (fewer if it cannot use them all), so the plan weighs that excess like
    pairs and each room beyond a track's first like an extra room. `seconds` caps the wall
    time (the caller's clock); the budget otherwise is deterministic.
    """
    weights = problem.weights
    by_track: defaultdict[str, list[Session]] = defaultdict(list)
    for s in problem.sessions:
        by_track[s.track].append(s)
    tracks = sorted(by_track)
    rooms = list(problem.rooms)
    capacity = {r.id: r.capacity for r in rooms}
    block_at = block_of(problem)
    n_blocks = len(set(block_at.values()))
    model = cp_model.CpModel()
    units: dict[tuple[str, str, int], cp_model.IntVar] = {}
    uses: dict[tuple[str, str], cp_model.IntVar] = {}
    fewest = _home_rooms(problem, by_track, seed, seconds)
    excess: list[cp_model.IntVar] = []
    for t in tracks:
        # The periods the track can use in each room (its windows, leads, closures).
        reach: defaultdict[tuple[str, int], int] = defaultdict(int)
        anywhere: defaultdict[int, set[tuple[int, int]]] = defaultdict(set)
        for rid, usable in _reach(problem, by_track[t]).items():
            for x in usable:
                reach[(rid, block_at[x])] += 1
                anywhere[block_at[x]].add(x)
        for room in rooms:
            used = model.new_bool_var(f"uses[{t},{room.id}]")
            uses[(t, room.id)] = used
            for b in range(n_blocks):
                most = reach[(room.id, b)]
                if most:
                    n = model.new_int_var(0, most, f"units[{t},{room.id},{b}]")
                    model.add(n <= most * used)
                    units[(t, room.id, b)] = n
        model.add(
            sum(n for (tt, _r, _b), n in units.items() if tt == t)
            == sum(s.duration_slots for s in by_track[t])
        )
        for b in range(n_blocks):
            here = [n for (tt, _r, bb), n in units.items() if tt == t and bb == b]
            if here:
                over = model.new_int_var(0, sum(reach[(r.id, b)] for r in rooms), "")
                model.add(over >= sum(here) - len(anywhere[b]))
                excess.append(over)
        for c in sorted({r.capacity for r in rooms}):
            need = sum(s.duration_slots for s in by_track[t] if s.expected_attendance > c)
            if need:
                model.add(
                    sum(n for (tt, rid, _b), n in units.items() if tt == t and capacity[rid] > c)
                    >= need
                )
    # The rooms of the count-only plan stay (it has the fewest); more are added where
    # they save more parallel pairs than they cost (a window that crowds a block).
    for key in sorted(fewest):  # sorted: a set of str tuples iterates by hash (S4)
        model.add(uses[key] == 1)
    closed = instance(problem).closed
    for k, room in enumerate(rooms):
        for b in range(n_blocks):
            here = [n for (_t, rid, bb), n in units.items() if rid == room.id and bb == b]
            open_slots = sum(1 for x, bb in block_at.items() if bb == b) - sum(
                1 for x in closed[k] if block_at.get(x) == b
            )
            if here:
                model.add(sum(here) <= open_slots)
    model.minimize(
        max(weights.track_extra_room, 1) * sum(uses.values())
        + max(weights.track_parallel_pair, 1) * sum(excess)
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = PLAN_DETERMINISTIC_TIME
    if seconds is not None:
        solver.parameters.max_time_in_seconds = max(0.05, seconds / 2)
    code = solver.solve(model)
    # The clock bound when CP-SAT stopped on its wall limit rather than its work budget.
    clock = (
        seconds is not None
        and code != cp_model.OPTIMAL
        and solver.wall_time >= solver.parameters.max_time_in_seconds * 0.95
    )
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, clock
    return {key: solver.value(n) for key, n in units.items() if solver.value(n) > 0}, clock


def _reach(problem: Problem, sessions: list[Session]) -> dict[str, set[tuple[int, int]]]:
    out: defaultdict[str, set[tuple[int, int]]] = defaultdict(set)
    for s in sessions:
        for rid, usable in periods_by_room(problem, s).items():
            out[rid] |= usable
    return out


def _home_rooms(
    problem: Problem, by_track: dict[str, list[Session]], seed: int, seconds: float | None
) -> set[tuple[str, str]]:
    """The fewest (track, room) pairs on counts alone (no blocks): a quick first plan."""
    model, uses = track_room_model(problem, by_track)
    model.minimize(sum(uses.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = PLAN_DETERMINISTIC_TIME / 4
    if seconds is not None:
        solver.parameters.max_time_in_seconds = max(0.05, seconds / 4)
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return set()
    return {key for key, used in uses.items() if solver.value(used)}
