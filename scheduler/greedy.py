"""A greedy baseline: min-cost placement, most constrained session first.

Every session gets the feasible (room, day, slot) that adds the least weighted cost given
the sessions already placed: attendee conflicts × weight, same-track parallel pairs ×
weight, a room new to its track × weight, a move away from `previous` × weight. Locked
placements go in first and are kept. The hard rules are those of `validate.check`.

One pass is deterministic. With a time limit, seeded random restarts (perturbed order,
random tie-breaking) run until the time is up and the best schedule is kept. A pass that
gets stuck moves the sessions it could not place to the front of the next pass' order.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.instance import instance
from scheduler.plan import Plan, block_of
from scheduler.types import Placement, Problem

Time = tuple[int, int]  # (day, first slot)

# Retries of a single (time_limit == 0) pass that got stuck, each with the stuck sessions
# moved to the front.
STUCK_RETRIES = 10
# A session beyond its track's planned units in a home room pays this share of an extra room.
OVER_PLAN = 0.5


@dataclass(frozen=True, slots=True)
class _Static:
    """What does not change while placing: per session (by index), its options and costs."""

    ids: list[str]
    duration: list[int]
    track: list[int]
    lead: list[int]
    size: list[int]  # expected attendance
    neighbours: list[dict[int, int]]  # other session -> attendee conflict weight
    options: list[list[tuple[Time, list[int]]]]  # (day, slot) -> rooms, smallest room first
    count: list[int]  # number of (room, day, slot) candidates
    previous: dict[int, tuple[int, int, int]]  # session -> (room, day, slot)
    locked: list[tuple[int, int, int, int]]  # (session, room, day, slot)
    room_ids: list[str]
    # The room plan (plan.py): each track's home rooms, and its slot-units per (track,
    # room, block); empty when not planned.
    homes: dict[int, set[int]] = field(default_factory=dict)
    allot: dict[tuple[int, int, int], int] = field(default_factory=dict)
    block: dict[tuple[int, int], int] = field(default_factory=dict)  # (day, slot) -> block


@dataclass
class _State:
    """One pass: what is placed so far and its weighted cost."""

    room_busy: set[tuple[int, int, int]] = field(default_factory=set)  # (room, day, slot)
    lead_busy: set[tuple[int, int, int]] = field(default_factory=set)  # (lead, day, slot)
    at: defaultdict[Time, list[int]] = field(default_factory=lambda: defaultdict(list))
    track_rooms: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Slot-units per (track, room, block), to follow the room plan.
    units: defaultdict[tuple[int, int, int], int] = field(default_factory=lambda: defaultdict(int))
    where: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    cost: int = 0


def _static(problem: Problem, plan: Plan | None = None) -> _Static:
    index = {s.id: i for i, s in enumerate(problem.sessions)}
    tracks: dict[str, int] = {}
    leads: dict[str, int] = {}
    inst = instance(problem)
    options = [[(when, list(rooms)) for when, rooms in here] for here in inst.options]
    neighbours = [dict(n) for n in inst.neighbours]
    room_index = {r.id: i for i, r in enumerate(problem.rooms)}
    for s in problem.sessions:
        tracks.setdefault(s.track, len(tracks))
    homes: defaultdict[int, set[int]] = defaultdict(set)
    allot: dict[tuple[int, int, int], int] = {}
    for (track_id, room_id, block), units in (plan or {}).items():
        if track_id in tracks and room_id in room_index:
            homes[tracks[track_id]].add(room_index[room_id])
            allot[(tracks[track_id], room_index[room_id], block)] = units

    def located(p: Placement) -> tuple[int, int, int]:
        return (room_index.get(p.room, -1), p.day, p.slot)

    return _Static(
        ids=[s.id for s in problem.sessions],
        duration=[s.duration_slots for s in problem.sessions],
        track=[tracks[s.track] for s in problem.sessions],
        lead=[leads.setdefault(s.lead, len(leads)) for s in problem.sessions],
        size=[s.expected_attendance for s in problem.sessions],
        neighbours=neighbours,
        options=options,
        count=[sum(len(rooms) for _, rooms in here) for here in options],
        previous={index[p.session]: located(p) for p in problem.previous if p.session in index},
        locked=[(index[p.session], *located(p)) for p in problem.locked if p.session in index],
        room_ids=[r.id for r in problem.rooms],
        homes=homes,
        allot=allot,
        block=block_of(problem) if plan else {},
    )


def _time_cost(
    st: _Static, state: _State, i: int, when: Time, a_weight: int, p_weight: int
) -> tuple[int, int] | None:
    """(cost, sessions overlapping) of session i at `when`, or None if its lead is busy."""
    day, first = when
    slots = range(first, first + st.duration[i])
    lead = st.lead[i]
    if any((lead, day, t) in state.lead_busy for t in slots):
        return None
    if len(slots) == 1:
        others: list[int] | set[int] = state.at.get(when, [])
    else:
        others = {j for t in slots for j in state.at.get((day, t), ())}
    near = st.neighbours[i]
    track = st.track[i]
    cost = 0
    for j in others:
        cost += near.get(j, 0) * a_weight
        if st.track[j] == track:
            cost += p_weight
    return cost, len(others)


def _place(st: _Static, state: _State, i: int, room: int, day: int, first: int) -> None:
    for t in range(first, first + st.duration[i]):
        state.room_busy.add((room, day, t))
        state.lead_busy.add((st.lead[i], day, t))
        state.at[(day, t)].append(i)
    state.track_rooms[st.track[i]].add(room)
    if st.homes:
        state.units[(st.track[i], room, st.block[(day, first)])] += st.duration[i]
    state.where[i] = (room, day, first)


def _room_cost(st: _Static, state: _State, i: int, room: int, when: Time, problem: Problem) -> int:
    weights = problem.weights
    cost = 0
    used = state.track_rooms.get(st.track[i])
    if used and room not in used:
        cost += weights.track_extra_room
    previous = st.previous.get(i)
    if previous is not None and previous != (room, *when):
        cost += weights.moved_session
    return cost


def _steer(st: _Static, state: _State, i: int, room: int, when: Time, extra: int) -> float:
    """How the room plan changes the price of `room` for session i: a home room is free
    while the track has units left there and costs a little beyond them (another track
    needs that space); any other room costs an extra room, even for a track's first one."""
    track = st.track[i]
    homes = st.homes.get(track)
    if not homes:
        return 0.0
    used = state.track_rooms.get(track, set())
    new = room not in used
    charged = extra if new and used else 0  # what _room_cost charged for a new room
    if room in homes:
        key = (track, room, st.block[when])
        over = state.units[key] + st.duration[i] > st.allot.get(key, 0)
        return (OVER_PLAN * extra if over else 0.0) - charged
    return float(extra - charged) if new else 0.0


def _lock(st: _Static, state: _State, problem: Problem) -> bool:
    """Place the locked sessions first; False if they break a hard rule."""
    weights = problem.weights
    for i, room, day, first in st.locked:
        if i in state.where:
            if state.where[i] != (room, day, first):
                return False
            continue
        rooms = dict(st.options[i]).get((day, first), [])
        if room not in rooms:
            return False
        if any((room, day, t) in state.room_busy for t in range(first, first + st.duration[i])):
            return False
        time_cost = _time_cost(
            st, state, i, (day, first), weights.attendee_conflict, weights.track_parallel_pair
        )
        if time_cost is None:
            return False
        state.cost += time_cost[0] + _room_cost(st, state, i, room, (day, first), problem)
        _place(st, state, i, room, day, first)
    return True


def _best(
    st: _Static, state: _State, i: int, problem: Problem, rng: random.Random | None
) -> tuple[int, int, int, int] | None:
    """The cheapest (cost, room, day, slot) for session i now, or None if nothing fits."""
    weights = problem.weights
    best: tuple[tuple[float, ...], int, int, int, int] | None = None
    for when, rooms in st.options[i]:
        day, first = when
        time_cost = _time_cost(
            st, state, i, when, weights.attendee_conflict, weights.track_parallel_pair
        )
        if time_cost is None:
            continue
        slots = range(first, first + st.duration[i])
        for rank, room in enumerate(rooms):
            if any((room, day, t) in state.room_busy for t in slots):
                continue
            cost = time_cost[0] + _room_cost(st, state, i, room, when, problem)
            steered = cost + _steer(st, state, i, room, when, weights.track_extra_room)
            # Ties: the emptier period (spreads sessions out), then the smallest room.
            tie = rng.random() if rng is not None else 0.0
            key = (float(steered), float(time_cost[1]), float(rank), tie)
            if best is None or key < best[0]:
                best = (key, cost, room, day, first)
    return None if best is None else best[1:]


def _order(st: _Static, first: list[int], rng: random.Random | None) -> list[int]:
    """Most constrained first: fewest candidates, then longer, then bigger attendance."""

    def key(i: int) -> tuple[float, int, int]:
        noise = rng.uniform(0.8, 1.25) if rng is not None else 1.0
        return (st.count[i] * noise, -st.duration[i], -st.size[i])

    ahead = set(first)
    rest = sorted((i for i in range(len(st.ids)) if i not in ahead), key=key)
    return first + rest


def _pass(
    st: _Static, problem: Problem, first: list[int], rng: random.Random | None
) -> tuple[_State, list[int]]:
    """One greedy pass; the state and the sessions it could not place."""
    state = _State()
    if not _lock(st, state, problem):
        return state, list(range(len(st.ids)))
    stuck = []
    for i in _order(st, first, rng):
        if i in state.where:
            continue
        choice = _best(st, state, i, problem, rng)
        if choice is None:
            stuck.append(i)
            continue
        cost, room, day, slot = choice
        state.cost += cost
        _place(st, state, i, room, day, slot)
    return state, stuck


def _placements(st: _Static, state: _State) -> tuple[Placement, ...]:
    return tuple(
        Placement(st.ids[i], st.room_ids[room], day, slot)
        for i, (room, day, slot) in sorted(state.where.items())
    )


def _promote(first: list[int], stuck: list[int]) -> list[int]:
    now = set(stuck)
    return stuck + [i for i in first if i not in now]


def work(problem: Problem) -> int:
    """How much one pass has to look at: a deterministic measure of its running time."""
    return sum(len(rooms) for opts in _static(problem).options for _t, rooms in opts)


def greedy(
    problem: Problem,
    *,
    seed: int = 0,
    time_limit: float = 0.0,
    restarts: int = 0,
    plan: Plan | None = None,
    stop: Callable[[], bool] | None = None,
) -> tuple[Placement, ...] | None:
    """A valid placement of every session, or None if the greedy cannot find one.

    With `time_limit` > 0, seeded random restarts until the time is up; with `restarts`
    > 0, exactly that many (repeatable, S4). The placement with the lowest weighted
    objective (problem.weights) is returned. With a `plan` (plan.py), each track keeps to
    its home rooms where it can. `stop` (the caller's wall clock) ends the restarts early
    once a placement is found.
    """
    deadline = time.monotonic() + time_limit
    st = _static(problem, plan)
    if any(count == 0 for count in st.count) or not _lock(st, _State(), problem):
        return None
    best: _State | None = None
    first: list[int] = []
    rng: random.Random | None = None
    attempts = 0
    while True:
        state, stuck = _pass(st, problem, first, rng)
        attempts += 1
        if not stuck and (best is None or state.cost < best.cost):
            best = state
        if stuck:
            first = _promote(first, stuck)
        if best is not None and stop is not None and stop():
            break
        if restarts > 0:
            if attempts > restarts and (best is not None or attempts > restarts + STUCK_RETRIES):
                break
            rng = rng or random.Random(seed)  # noqa: S311 - tie-breaking, not secrets
        elif time_limit <= 0:
            if best is not None or attempts > STUCK_RETRIES:
                break
        elif time.monotonic() >= deadline:
            break
        else:
            # Restart from a perturbed order; sessions once stuck stay up front.
            rng = rng or random.Random(seed)  # noqa: S311 - tie-breaking, not secrets
    return None if best is None else _placements(st, best)
