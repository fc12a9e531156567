"""A lower bound on the weighted objective, by counting: no schedule can do better.

For each track:

- *parallel pairs*: give each of its sessions one period (a (day, slot) it takes; a
  session that takes two periods still gets one, which can only lower the count). Two
  sessions given the same period overlap, and each pair is counted at most once, so a
  schedule has at least Σ_p C(k_p, 2) same-track pairs in parallel, k_p being the number of
  sessions given period p — least when the sessions are spread as evenly as possible over
  the periods the track can use at all (those some session of it can take in some room:
  a track restricted to a window has fewer).
  With long sessions a second count can say more: sessions linked by overlaps form
  clusters, a cluster of k sessions has at least k - 1 pairs, clusters take disjoint
  periods and one that holds a long session takes at least as many periods as it lasts.
  So a schedule has at least (sessions - most clusters) pairs (`cluster_pairs`).
- *extra rooms*: a room holds one session per period, so room r can take at most a_r of
  the track's slot-units (the periods where some session of the track can sit in r). The
  track needs at least the fewest rooms whose a_r add up to its slot-units; one is free.

- *rooms, shared*: a small CP-SAT relaxation (`track_room_model`) sees what counting per
  track cannot: room sizes (sessions that need big rooms) and that tracks share rooms.
  Its proved bound, less one room per track, is a floor of the extra rooms too.

Attendee conflicts get a floor of 0 and moved sessions too: counting cannot say which
interested people must clash. Each goal's floor holds on its own, so the weighted sum of the
floors is a floor of the weighted objective.
"""

from __future__ import annotations

import math
from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.instance import instance
from scheduler.types import Problem, Session

ROOM_BOUND_DETERMINISTIC = 0.5  # CP-SAT's budget for the rooms relaxation (repeatable)

Period = tuple[int, int]  # (day, slot)


def periods_by_room(problem: Problem, session: Session) -> dict[str, set[Period]]:
    """For each room the session fits in, every period it could take there."""
    inst = instance(problem)
    k = session.duration_slots
    usable: dict[int, set[Period]] = {}
    for (day, first), open_rooms in inst.options[inst.index[session.id]]:
        for room in open_rooms:
            usable.setdefault(room, set()).update((day, t) for t in range(first, first + k))
    return {problem.rooms[room].id: usable[room] for room in sorted(usable)}


def even_pairs(n: int, periods: int) -> int:
    """The fewest pairs sharing a period when n items go into `periods` periods."""
    if n < 2 or periods < 1:
        return 0
    q, r = divmod(n, periods)
    return r * (q + 1) * q // 2 + (periods - r) * q * (q - 1) // 2


def cluster_pairs(singles: int, longs: list[int], periods: int) -> int:
    """The fewest pairs sharing periods when `singles` one-slot sessions and sessions
    lasting `longs` slots go into `periods` periods: sessions less the most clusters,
    where c1 clusters of one-slot sessions and c2 >= 1 clusters holding a long one fit
    when c1 + c2 * min(longs) <= periods."""
    sessions = singles + len(longs)
    if not longs:
        return max(0, sessions - periods)
    shortest = min(longs)
    most = 0
    for c2 in range(1, len(longs) + 1):
        room_left = periods - c2 * shortest
        if room_left < 0:
            break
        most = max(most, c2 + min(singles, room_left))
    if most == 0:  # not even one long session fits: no schedule exists; 0 is a floor
        return 0
    return max(0, sessions - most)


def fewest_rooms(units: int, room_units: list[int]) -> int:
    """The fewest rooms whose capacities (in slot-units) add up to `units`.

    When even all rooms do not (no schedule exists), every room counts: still a floor.
    """
    if units <= 0:
        return 0
    total, rooms = 0, 0
    for capacity in sorted(room_units, reverse=True):
        total += capacity
        rooms += 1
        if total >= units:
            return rooms
    return max(rooms, 1)


def track_room_model(
    problem: Problem, by_track: dict[str, list[Session]]
) -> tuple[cp_model.CpModel, dict[tuple[str, str], cp_model.IntVar]]:
    """A relaxation of where tracks go, on counts alone: units[t, r], the slot-units of
    track t in room r, at most the periods where t's sessions can sit in r, and only if t
    uses r; each track's units placed; for every capacity c, the units of sessions that
    need more than c seats in rooms of more than c; no room beyond its open periods. Every
    schedule gives such counts, so its fewest uses bound the rooms of every schedule."""
    model = cp_model.CpModel()
    units: dict[tuple[str, str], cp_model.IntVar] = {}
    uses: dict[tuple[str, str], cp_model.IntVar] = {}
    rooms = problem.rooms
    inst = instance(problem)
    for t, members in by_track.items():
        reach: defaultdict[str, set[Period]] = defaultdict(set)
        for s in members:
            for rid, usable in periods_by_room(problem, s).items():
                reach[rid] |= usable
        for room in rooms:
            most = len(reach.get(room.id, ()))
            n = model.new_int_var(0, most, "")
            used = model.new_bool_var("")
            model.add(n <= most * used)
            units[(t, room.id)], uses[(t, room.id)] = n, used
        model.add(sum(units[(t, r.id)] for r in rooms) == sum(s.duration_slots for s in members))
        for c in sorted({r.capacity for r in rooms}):
            need = sum(s.duration_slots for s in members if s.expected_attendance > c)
            if need:
                model.add(sum(units[(t, r.id)] for r in rooms if r.capacity > c) >= need)
    for k, room in enumerate(rooms):
        open_periods = inst.periods - len(inst.closed[k])
        model.add(sum(units[(t, room.id)] for t in by_track) <= open_periods)
    return model, uses


def rooms_floor(problem: Problem, *, seconds: float | None = None) -> int | None:
    """A lower bound on Σ extra rooms that sees room sizes and the rooms tracks share: the
    best bound CP-SAT proves on the relaxation above, less one room per track. None when
    the relaxation has no solution (then no schedule exists) or proved nothing."""
    by_track: defaultdict[str, list[Session]] = defaultdict(list)
    for session in problem.sessions:
        by_track[session.track].append(session)
    if not by_track:
        return 0
    model, uses = track_room_model(problem, by_track)
    model.minimize(sum(uses.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = ROOM_BOUND_DETERMINISTIC
    if seconds is not None:
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return max(0, math.ceil(solver.best_objective_bound - 1e-6) - len(by_track))


def floor(problem: Problem, *, seconds: float | None = None) -> dict[str, int]:
    """A lower bound on every goal that counting (and the rooms relaxation) can give, and
    on the weighted objective."""
    by_track: defaultdict[str, list[Session]] = defaultdict(list)
    for session in problem.sessions:
        by_track[session.track].append(session)
    pairs = extra_rooms = 0
    for sessions in by_track.values():
        periods: set[Period] = set()
        room_periods: defaultdict[str, set[Period]] = defaultdict(set)
        for session in sessions:
            for room, usable in periods_by_room(problem, session).items():
                periods |= usable
                room_periods[room] |= usable
        longs = [s.duration_slots for s in sessions if s.duration_slots > 1]
        pairs += max(
            even_pairs(len(sessions), len(periods)),
            cluster_pairs(len(sessions) - len(longs), longs, len(periods)),
        )
        units = sum(s.duration_slots for s in sessions)
        rooms = fewest_rooms(units, [len(p) for p in room_periods.values()])
        extra_rooms += max(0, rooms - 1)
    shared = rooms_floor(problem, seconds=seconds) if problem.weights.track_extra_room else None
    if shared is not None:
        extra_rooms = max(extra_rooms, shared)
    weights = problem.weights
    return {
        "track_parallel_pairs": pairs,
        "track_extra_rooms": extra_rooms,
        "attendee_conflicts": 0,
        "weighted": pairs * weights.track_parallel_pair + extra_rooms * weights.track_extra_room,
    }
