"""Simulated annealing over placements: relocate one session, or swap two of equal length.

Pure Python with incremental costs: taking a session out and putting it back touches only
the sessions in the same periods, so a move costs microseconds. The number of moves is
fixed by the caller and the generator is seeded, so a run is repeatable (S4).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable

from scheduler.instance import instance
from scheduler.types import Placement, Problem

Spot = tuple[int, int]  # (global period, room index)
TOURNAMENT = 3  # periods drawn per same-room move
STOP_EVERY = 2048  # moves between two looks at the caller's clock


class _State:
    def __init__(
        self, problem: Problem, start: tuple[Placement, ...], keep_rooms: bool = False
    ) -> None:
        w = problem.weights
        self.problem = problem
        inst = instance(problem)
        self.offsets: list[int] = list(inst.offsets)
        self.rooms = [r.id for r in problem.rooms]
        room_index = {r: k for k, r in enumerate(self.rooms)}
        sessions = problem.sessions
        self.ids = [s.id for s in sessions]
        index = {sid: i for i, sid in enumerate(self.ids)}
        self.dur = [s.duration_slots for s in sessions]
        tracks = {t: k for k, t in enumerate(sorted({s.track for s in sessions}))}
        self.track = [tracks[s.track] for s in sessions]
        leads = {p: k for k, p in enumerate(sorted({s.lead for s in sessions}))}
        self.lead = [leads[s.lead] for s in sessions]
        self.w_track, self.w_room, self.w_move = (
            w.track_parallel_pair,
            w.track_extra_room,
            w.moved_session,
        )
        self.nbr: list[dict[int, int]] = [
            {j: people * w.attendee_conflict for j, people in inst.neighbours[i].items() if people}
            for i in range(len(sessions))
        ]
        # With keep_rooms, a session may only use the rooms its track has in `start`.
        track_rooms: defaultdict[str, set[str]] = defaultdict(set)
        for p in start:
            track_rooms[sessions[index[p.session]].track].add(p.room)
        self.options: list[list[Spot]] = []
        for i, s in enumerate(sessions):
            spots = []
            for (d, first), open_rooms in inst.options[i]:
                g = self.offsets[d] + first
                for k in sorted(open_rooms):
                    if keep_rooms and self.rooms[k] not in track_rooms[s.track]:
                        continue
                    spots.append((g, k))
            self.options.append(spots)
        self.allowed = [set(spots) for spots in self.options]
        # Per session: its possible periods, each with the rooms it fits in there.
        self.by_period: list[list[tuple[int, list[int]]]] = []
        for spots in self.options:
            rooms_at: defaultdict[int, list[int]] = defaultdict(list)
            for g, k in spots:
                rooms_at[g].append(k)
            self.by_period.append(sorted(rooms_at.items()))
        self.rooms_at = [dict(periods) for periods in self.by_period]
        self.locked = {index[p.session] for p in problem.locked if p.session in index}
        self.previous: dict[int, Spot] = {}
        for p in problem.previous:
            if p.session in index and p.room in room_index:
                self.previous[index[p.session]] = (self.offsets[p.day] + p.slot, room_index[p.room])
        self.at: defaultdict[int, set[int]] = defaultdict(set)  # period -> sessions
        self.track_at: defaultdict[tuple[int, int], int] = defaultdict(int)  # (track, period)
        self.room_at: dict[tuple[int, int], int] = {}
        self.lead_at: defaultdict[tuple[int, int], int] = defaultdict(int)
        self.track_room: defaultdict[tuple[int, int], int] = defaultdict(int)
        self.spot: list[Spot] = [(0, 0)] * len(sessions)
        self.cost = 0
        for p in start:
            i = index[p.session]
            self.cost += self.add(i, (self.offsets[p.day] + p.slot, room_index[p.room]))

    def fits(self, i: int, spot: Spot) -> bool:
        g, room = spot
        for t in range(g, g + self.dur[i]):
            if (room, t) in self.room_at or self.lead_at[(self.lead[i], t)]:
                return False
        return True

    def _clash_cost(self, i: int, g: int) -> int:
        """What session i costs against the sessions in its periods from g on."""
        cost, seen = 0, set()
        for t in range(g, g + self.dur[i]):
            for j in self.at[t]:
                if j not in seen and j != i:
                    seen.add(j)
                    cost += self.nbr[i].get(j, 0) + (
                        self.w_track if self.track[j] == self.track[i] else 0
                    )
        return cost

    def add(self, i: int, spot: Spot) -> int:
        """Place session i; returns the cost it adds."""
        g, room = spot
        cost = self._clash_cost(i, g)
        for t in range(g, g + self.dur[i]):
            self.at[t].add(i)
            self.track_at[(self.track[i], t)] += 1
            self.room_at[(room, t)] = i
            self.lead_at[(self.lead[i], t)] += 1
        key = (self.track[i], room)
        if self.track_room[key] == 0:
            cost += self.w_room
        self.track_room[key] += 1
        if i in self.previous and self.previous[i] != spot:
            cost += self.w_move
        self.spot[i] = spot
        return cost

    def remove(self, i: int) -> int:
        """Take session i out; returns the cost it took away."""
        g, room = self.spot[i]
        for t in range(g, g + self.dur[i]):
            self.at[t].discard(i)
            self.track_at[(self.track[i], t)] -= 1
            del self.room_at[(room, t)]
            self.lead_at[(self.lead[i], t)] -= 1
        cost = self._clash_cost(i, g)
        key = (self.track[i], room)
        self.track_room[key] -= 1
        if self.track_room[key] == 0:
            cost += self.w_room
        if i in self.previous and self.previous[i] != self.spot[i]:
            cost += self.w_move
        return cost

    def placements(self) -> tuple[Placement, ...]:
        out = []
        for i, (g, room) in enumerate(self.spot):
            day = max(d for d, off in enumerate(self.offsets) if off <= g)
            out.append(Placement(self.ids[i], self.rooms[room], day, g - self.offsets[day]))
        return tuple(out)


def anneal(
    problem: Problem,
    start: tuple[Placement, ...],
    *,
    seed: int,
    moves: int,
    t0: float = 4.0,
    t1: float = 0.05,
    keep_rooms: bool = False,
    stop: Callable[[], bool] | None = None,
) -> tuple[Placement, ...]:
    """The best placement seen in `moves` annealing steps from `start`; with `keep_rooms`,
    each track keeps to the rooms it has in `start`. `stop` (the caller's wall clock) is
    asked every STOP_EVERY moves and ends the run early when it says so."""
    state = _State(problem, start, keep_rooms)
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    movable = [i for i in range(len(state.ids)) if i not in state.locked and state.options[i]]
    if not movable or moves <= 0:
        return start
    best_cost, best = state.cost, list(state.spot)
    for step in range(moves):
        if step % STOP_EVERY == 0 and step and stop is not None and stop():
            break
        temperature = t0 * (t1 / t0) ** (step / moves)
        i = rng.choice(movable)
        pick = rng.random()
        if pick < 0.35:
            delta = _relocate(state, rng, i, temperature)
        elif pick < 0.7:
            # Same room, another period: keeps a track in its home rooms while it looks
            # for the times that clash least.
            delta = _within_room(state, rng, i, temperature)
        elif pick < 0.9:
            # Same period, another room: gathers a track into fewer rooms, times untouched.
            delta = _within_period(state, rng, i, temperature)
        else:
            delta = _exchange(state, rng, i, rng.choice(movable), temperature)
        if delta is not None and state.cost < best_cost:
            best_cost, best = state.cost, list(state.spot)
    state.spot = best
    return state.placements()


def _accept(rng: random.Random, delta: int, temperature: float) -> bool:
    return delta <= 0 or rng.random() < math.exp(-delta / temperature)


def _move(state: _State, rng: random.Random, i: int, spot: Spot, temperature: float) -> int | None:
    """Move session i to a free `spot`; kept if the annealing accepts the change."""
    old = state.spot[i]
    if spot == old or spot not in state.allowed[i]:
        return None
    removed = state.remove(i)
    if not state.fits(i, spot):
        state.add(i, old)
        return None
    return _settle(state, rng, i, spot, old, removed, temperature)


def _settle(
    state: _State,
    rng: random.Random,
    i: int,
    spot: Spot,
    old: Spot,
    removed: int,
    temperature: float,
) -> int | None:
    """Put session i (taken out of `old`, which cost `removed`) at `spot`, or back."""
    delta = state.add(i, spot) - removed
    if _accept(rng, delta, temperature):
        state.cost += delta
        return delta
    state.remove(i)
    state.add(i, old)
    return None


def _relocate(state: _State, rng: random.Random, i: int, temperature: float) -> int | None:
    """Move session i to a random period, in a free room there (rooms are mostly full, so
    picking the period first and then any free room finds far more legal moves)."""
    g, rooms = rng.choice(state.by_period[i])
    first = rng.randrange(len(rooms))
    old = state.spot[i]
    removed = state.remove(i)
    for k in range(len(rooms)):
        spot = (g, rooms[(first + k) % len(rooms)])
        if spot != old and state.fits(i, spot):
            return _settle(state, rng, i, spot, old, removed, temperature)
    state.add(i, old)
    return None


def _to(state: _State, rng: random.Random, i: int, spot: Spot, temperature: float) -> int | None:
    """Session i to `spot`: a move when it is free, an exchange with the session that
    starts there when that one has the same length."""
    g, room = spot
    j = state.room_at.get((room, g))
    if j is None:
        return _move(state, rng, i, spot, temperature)
    if j == i or state.spot[j] != spot or j in state.locked:
        return None
    return _exchange(state, rng, i, j, temperature)


def _within_room(state: _State, rng: random.Random, i: int, temperature: float) -> int | None:
    """Session i to another period in its room; of a few periods drawn, the one where its
    track is thinnest (a track in its home rooms only gets fewer parallel pairs by filling
    the periods it is missing from)."""
    room, track, options = state.spot[i][1], state.track[i], state.by_period[i]
    best: tuple[int, int] | None = None
    for _ in range(TOURNAMENT):
        g, rooms = rng.choice(options)
        if room in rooms:
            crowd = sum(state.track_at[(track, t)] for t in range(g, g + state.dur[i]))
            if best is None or crowd < best[0]:
                best = (crowd, g)
    if best is None:
        return None
    return _to(state, rng, i, (best[1], room), temperature)


def _within_period(state: _State, rng: random.Random, i: int, temperature: float) -> int | None:
    g = state.spot[i][0]
    rooms = state.rooms_at[i].get(g)
    if not rooms:
        return None
    return _to(state, rng, i, (g, rng.choice(rooms)), temperature)


def _exchange(state: _State, rng: random.Random, i: int, j: int, temperature: float) -> int | None:
    """Swap the places of sessions i and j (of equal length)."""
    if j == i or state.dur[j] != state.dur[i]:
        return None
    a, b = state.spot[i], state.spot[j]
    if b not in state.allowed[i] or a not in state.allowed[j]:
        return None
    removed = state.remove(i) + state.remove(j)
    if not state.fits(i, b):
        state.add(i, a)
        state.add(j, b)
        return None
    added = state.add(i, b)
    if not state.fits(j, a):
        state.remove(i)
        state.add(i, a)
        state.add(j, b)
        return None
    added += state.add(j, a)
    delta = added - removed
    if _accept(rng, delta, temperature):
        state.cost += delta
        return delta
    state.remove(i)
    state.remove(j)
    state.add(i, a)
    state.add(j, b)
    return None
