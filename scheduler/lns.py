"""Large neighbourhood search with CP-SAT, at every size (the CP-SAT Primer's LNS chapter).

Each step frees a neighbourhood of the best schedule so far (a track, a time block, a day,
a pair of rooms on one day or over the whole summit, three rooms on two days, or the
sessions in the worst clashes) and lets CP-SAT re-place it
around everything else, which stays fixed. The step's model holds only the freed sessions:
one Boolean per (session, start, room) that is open there, with what the fixed sessions
imply folded in (rooms and leads they take are removed; their clashes, rooms and moves
become costs on each choice; same-track pairs among the freed are counted per period,
which CP-SAT's LP can bound). It is hinted with the incumbent, solved with a small
deterministic budget (growing with the sessions freed) on one worker, and kept if the
whole schedule scores better.

S4: the neighbourhoods come from a seeded generator and the budget per step is in
deterministic time, so the same inputs give the same steps; `stop` (the wall clock) only
ends the search early.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.instance import Instance, instance
from scheduler.types import Placement, Problem
from scheduler.validate import score

MAX_FREE = 48  # sessions freed per step: small enough for CP-SAT to settle in its budget
SESSIONS_PER_BUDGET = 8  # a step's deterministic budget is per this many freed sessions
KINDS = ("track", "block", "rooms", "clashes", "day", "two_days", "room_pair")

Spot = tuple[int, int]  # (global period, room index)


def lns(
    problem: Problem,
    start: tuple[Placement, ...],
    *,
    steps: int,
    seed: int,
    step_deterministic: float,
    stop: Callable[[], bool],
    time_left: Callable[[], float],
) -> tuple[Placement, ...]:
    """The best schedule after `steps` repair steps from `start` (fewer if `stop` says so)."""
    inst = instance(problem)
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    best = start
    value = score(problem, best).weighted(problem.weights)
    locked = {p.session for p in problem.locked}
    for step in range(steps):
        if stop():
            break
        kind = KINDS[rng.randrange(len(KINDS))]  # seeded: each call sees every kind
        free = _neighbourhood(problem, inst, best, kind, rng, locked)
        if not free:
            continue
        # A bigger neighbourhood needs a bigger budget to get past its hint (measured: a
        # freed day of 40 sessions gains nothing with 0.05, a same-track pair with 0.3).
        deterministic = step_deterministic * max(1.0, len(free) / SESSIONS_PER_BUDGET)
        repaired = _repair(problem, inst, best, free, seed + step, deterministic, time_left())
        if repaired is None:
            continue
        repaired_value = score(problem, repaired).weighted(problem.weights)
        if repaired_value < value:
            best, value = repaired, repaired_value
    return best


def _neighbourhood(
    problem: Problem,
    inst: Instance,
    best: tuple[Placement, ...],
    kind: str,
    rng: random.Random,
    locked: set[str],
) -> list[int]:
    """Indices of the sessions to free, at most MAX_FREE, in a repeatable order."""
    sessions = problem.sessions
    where = {p.session: p for p in best}
    movable = [i for i, s in enumerate(sessions) if s.id not in locked]

    def in_area(days: set[int] | None, rooms: set[str] | None) -> list[int]:
        """The movable sessions on those days in those rooms (None: every one)."""
        return [
            i
            for i in movable
            if (days is None or where[sessions[i].id].day in days)
            and (rooms is None or where[sessions[i].id].room in rooms)
        ]

    if kind == "track":
        track = rng.choice(sorted({sessions[i].track for i in movable}))
        chosen = [i for i in movable if sessions[i].track == track]
    elif kind == "block":
        day = rng.randrange(len(problem.days))
        blocks = sorted({slot.block for slot in problem.days[day].slots})
        block = rng.choice(blocks)
        chosen = [
            i
            for i in movable
            if where[sessions[i].id].day == day
            and problem.days[day].slots[where[sessions[i].id].slot].block == block
        ]
    elif kind == "rooms":
        day = rng.randrange(len(problem.days))
        chosen = in_area({day}, _some_rooms(problem, rng, 2))
    elif kind == "day":
        chosen = in_area({rng.randrange(len(problem.days))}, None)
    elif kind == "two_days":
        days = set(rng.sample(range(len(problem.days)), min(2, len(problem.days))))
        chosen = in_area(days, _some_rooms(problem, rng, 3))
    elif kind == "room_pair":
        # Two rooms over the whole summit: the tracks in them can trade rooms, which a
        # day's or a track's neighbourhood alone cannot do.
        chosen = in_area(None, _some_rooms(problem, rng, 2))
    else:
        chosen = _worst_clashes(problem, inst, where, movable)
    if len(chosen) > MAX_FREE:
        chosen = sorted(rng.sample(chosen, MAX_FREE))
    return chosen


def _some_rooms(problem: Problem, rng: random.Random, n: int) -> set[str]:
    return set(rng.sample([r.id for r in problem.rooms], min(n, len(problem.rooms))))


def _overlaps(a: range, b: range) -> bool:
    return a.start < b.stop and b.start < a.stop


def _worst_clashes(
    problem: Problem, inst: Instance, where: dict[str, Placement], movable: list[int]
) -> list[int]:
    """The sessions that cost most in clashes now (attendees and same-track pairs)."""
    sessions = problem.sessions
    w = problem.weights

    def covers(i: int) -> tuple[int, range]:
        p = where[sessions[i].id]
        return p.day, range(p.slot, p.slot + sessions[i].duration_slots)

    def overlap(i: int, j: int) -> bool:
        (da, ra), (db, rb) = covers(i), covers(j)
        return da == db and _overlaps(ra, rb)

    by_track: defaultdict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sessions):
        by_track[s.track].append(i)
    cost = [0] * len(sessions)
    for i in range(len(sessions)):
        for j, people in inst.neighbours[i].items():
            if overlap(i, j):
                cost[i] += people * w.attendee_conflict
        for j in by_track[sessions[i].track]:
            if j != i and overlap(i, j):
                cost[i] += w.track_parallel_pair
    ranked = sorted((i for i in movable if cost[i] > 0), key=lambda i: (-cost[i], i))
    return sorted(ranked[:MAX_FREE])


def _repair(
    problem: Problem,
    inst: Instance,
    best: tuple[Placement, ...],
    free: list[int],
    seed: int,
    deterministic: float,
    seconds: float,
) -> tuple[Placement, ...] | None:
    """CP-SAT re-places the free sessions optimally (within its budget) around the rest."""
    sessions, w = problem.sessions, problem.weights
    room_index = {r.id: k for k, r in enumerate(problem.rooms)}
    where = {p.session: p for p in best}
    free_set = set(free)
    fixed = [i for i in range(len(sessions)) if i not in free_set]

    def spot(i: int) -> Spot:
        p = where[sessions[i].id]
        return inst.offsets[p.day] + p.slot, room_index[p.room]

    room_busy: set[Spot] = set()
    lead_busy: defaultdict[str, set[int]] = defaultdict(set)
    track_rooms: defaultdict[str, set[int]] = defaultdict(set)
    # The periods each session takes now: the fixed ones' stay, the free ones' hint.
    cover = {
        i: range(spot(i)[0], spot(i)[0] + session.duration_slots)
        for i, session in enumerate(sessions)
    }
    for j in fixed:
        k = spot(j)[1]
        room_busy.update((t, k) for t in cover[j])
        lead_busy[sessions[j].lead].update(cover[j])
        track_rooms[sessions[j].track].add(k)
    same_track: defaultdict[str, list[int]] = defaultdict(list)
    for j in fixed:
        same_track[sessions[j].track].append(j)
    previous = {p.session: p for p in problem.previous}
    model = cp_model.CpModel()
    choice: dict[int, dict[Spot, cp_model.IntVar]] = {}
    terms: list[tuple[int, cp_model.IntVar]] = []
    at_room: defaultdict[Spot, list[cp_model.IntVar]] = defaultdict(list)
    at_lead: defaultdict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    covering: defaultdict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for i in free:
        s = sessions[i]
        here: dict[Spot, cp_model.IntVar] = {}
        for (d, first), open_rooms in inst.options[i]:
            g = inst.offsets[d] + first
            taken = range(g, g + s.duration_slots)
            if any(t in lead_busy[s.lead] for t in taken):
                continue
            clash = sum(
                people * w.attendee_conflict
                for j, people in inst.neighbours[i].items()
                if j not in free_set and _overlaps(cover[j], taken)
            ) + w.track_parallel_pair * sum(
                1 for j in same_track[s.track] if _overlaps(cover[j], taken)
            )
            for k in open_rooms:
                if any((t, k) in room_busy for t in taken):
                    continue
                x = model.new_bool_var("")
                here[(g, k)] = x
                cost = clash
                prev = previous.get(s.id)
                if prev is not None and (
                    inst.offsets[prev.day] + prev.slot,
                    room_index.get(prev.room, -1),
                ) != (g, k):
                    cost += w.moved_session
                if cost:
                    terms.append((cost, x))
                for t in taken:
                    at_room[(t, k)].append(x)
                    at_lead[(s.lead, t)].append(x)
                    covering[(i, t)].append(x)
        if spot(i) not in here:
            return None  # the incumbent is not among the choices: a bug, never a worse step
        model.add_exactly_one(here.values())
        choice[i] = here
    for group in (*at_room.values(), *at_lead.values()):
        if len(group) > 1:
            model.add_at_most_one(group)
    _free_pairs(problem, inst, free, covering, cover, model, terms, choice)
    if w.track_extra_room:
        uses: dict[tuple[str, int], cp_model.IntVar] = {}
        for i in free:
            track = sessions[i].track
            for (_g, k), x in choice[i].items():
                if k in track_rooms[track]:
                    continue  # the track is in that room anyway
                if (track, k) not in uses:
                    uses[(track, k)] = model.new_bool_var("")
                    terms.append((w.track_extra_room, uses[(track, k)]))
                model.add_implication(x, uses[(track, k)])
        for (track, k), used in uses.items():
            model.add_hint(used, any(spot(i)[1] == k for i in free if sessions[i].track == track))
    for i in free:
        for key, x in choice[i].items():
            model.add_hint(x, key == spot(i))
    model.minimize(sum(c * x for c, x in terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = deterministic
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    # A small model with a complete hint: symmetry detection and probing would spend the
    # step's whole budget before the search starts (measured: no solution at all, not even
    # the hint, on a 36-session track).
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    # The per-period pair counts only bound the search through the LP of the full
    # linearization (measured: a freed track of 36 sessions proved optimal within a budget
    # of 1 at level 2; at the default level the bound stayed at 0 and it kept its hint).
    solver.parameters.linearization_level = 2
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    moved: dict[str, Placement] = {}
    for i in free:
        g, k = next(key for key, x in choice[i].items() if solver.boolean_value(x))
        day = max(d for d, off in enumerate(inst.offsets) if off <= g)
        moved[sessions[i].id] = Placement(
            sessions[i].id, problem.rooms[k].id, day, g - inst.offsets[day]
        )
    return tuple(moved.get(p.session, p) for p in best)


def _free_pairs(
    problem: Problem,
    inst: Instance,
    free: list[int],
    covering: dict[tuple[int, int], list[cp_model.IntVar]],
    now: dict[int, range],
    model: cp_model.CpModel,
    terms: list[tuple[int, cp_model.IntVar]],
    choice: dict[int, dict[Spot, cp_model.IntVar]],
) -> None:
    """Clashes between two freed sessions.

    Each session's presence in a period is one Boolean (the sum of its choices covering
    it). Attendee clashes: a flag per pair, forced to 1 by a three-literal clause per
    shared period. Same-track pairs: per track and period, the freed sessions there (k)
    cost C(k, 2), written as the tangents of that convex curve, so that the LP sees at
    once that k sessions over fewer periods make pairs (pair flags give it nothing: a
    stuck search on big tracks); two two-slot sessions side by side are one pair, not
    two, so such a pair is refunded one (longer sessions overlapping over several periods
    stay over-counted here: a step is kept only if the exact score is better). Every
    variable is hinted with the incumbent (`now`, each session's periods), so that the hint
    is complete and CP-SAT starts from it at once."""
    w = problem.weights
    periods: defaultdict[int, list[int]] = defaultdict(list)
    for i, t in covering:
        periods[i].append(t)
    present: dict[tuple[int, int], cp_model.IntVar] = {}

    def at(i: int, t: int) -> cp_model.IntVar:
        if (i, t) not in present:
            var = model.new_bool_var("")
            model.add(var == sum(covering[(i, t)]))
            model.add_hint(var, t in now[i])
            present[(i, t)] = var
        return present[(i, t)]

    for a_pos, i in enumerate(free):
        for j in free[a_pos + 1 :]:
            cost = inst.neighbours[i].get(j, 0) * w.attendee_conflict
            if not cost:
                continue
            shared = [t for t in periods[i] if (j, t) in covering]
            if not shared:
                continue
            flag = model.new_bool_var("")
            model.add_hint(flag, _overlaps(now[i], now[j]))
            for t in shared:
                model.add_bool_or([at(i, t).Not(), at(j, t).Not(), flag])
            terms.append((cost, flag))
    if w.track_parallel_pair:
        _track_pairs(problem, free, periods, now, model, terms, choice, at)


def _track_pairs(
    problem: Problem,
    free: list[int],
    periods: dict[int, list[int]],
    now: dict[int, range],
    model: cp_model.CpModel,
    terms: list[tuple[int, cp_model.IntVar]],
    choice: dict[int, dict[Spot, cp_model.IntVar]],
    at: Callable[[int, int], cp_model.IntVar],
) -> None:
    """Same-track pairs among the freed sessions, per period (see _free_pairs)."""
    sessions, weight = problem.sessions, problem.weights.track_parallel_pair
    by_track: defaultdict[str, list[int]] = defaultdict(list)
    for i in free:
        by_track[sessions[i].track].append(i)
    for members in by_track.values():
        if len(members) < 2:
            continue
        here: defaultdict[int, list[int]] = defaultdict(list)
        for i in members:
            for t in periods[i]:
                here[t].append(i)
        for t, there in sorted(here.items()):
            if len(there) < 2:
                continue
            k = sum(at(i, t) for i in there)
            cost = model.new_int_var(0, len(there) * (len(there) - 1) // 2, "")
            for j in range(1, len(there)):
                model.add(cost >= j * k - j * (j + 1) // 2)
            busy = sum(1 for i in there if t in now[i])
            model.add_hint(cost, busy * (busy - 1) // 2)
            terms.append((weight, cost))
        # Two two-slot sessions starting together share two periods but are one pair.
        starts: dict[int, defaultdict[int, list[cp_model.IntVar]]] = {}
        for i in members:
            if sessions[i].duration_slots == 2:
                starts[i] = defaultdict(list)
                for (g, _k), x in choice[i].items():
                    starts[i][g].append(x)
        longs = sorted(starts)
        for a_pos, i in enumerate(longs):
            for j in longs[a_pos + 1 :]:
                if not set(starts[i]) & set(starts[j]):
                    continue  # they can never start together
                together = model.new_bool_var("")
                for g, at_g in starts[i].items():  # i starts at g: together only if j does
                    model.add(together + sum(at_g) - sum(starts[j].get(g, [])) <= 1)
                model.add_hint(together, now[i].start == now[j].start)
                terms.append((-weight, together))
