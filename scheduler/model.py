"""The CP-SAT model: one function per constraint family or goal (STYLE.md).

Time is one global timeline: day d's slot s is index offset[d] + s. A session's start may
only take values where it stays inside one block, inside its window and while its lead is
there, so intervals never cross lunch or midnight. The room is chosen through one optional
interval per candidate room; rooms and leads each get a no-overlap constraint.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.instance import instance
from scheduler.types import (
    Placement,
    Problem,
    Session,
    Weights,
)
from scheduler.validate import conflict_weights, pair

LinearTerm = tuple[int, cp_model.IntVar]


@dataclass
class Built:
    model: cp_model.CpModel
    offsets: list[int]
    start: dict[str, cp_model.IntVar] = field(default_factory=dict)
    end: dict[str, cp_model.IntVar] = field(default_factory=dict)
    interval: dict[str, cp_model.IntervalVar] = field(default_factory=dict)
    in_room: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    objective: list[LinearTerm] = field(default_factory=list)
    constant: int = 0  # added to the objective, so that it equals Goals.weighted
    # Auxiliary variables, kept so that a hint can give every variable a value.
    flags: dict[tuple[str, str], tuple[cp_model.IntVar, ...]] = field(default_factory=dict)
    uses: dict[tuple[str, str], cp_model.IntVar] = field(default_factory=dict)
    moved: dict[str, cp_model.IntVar] = field(default_factory=dict)

    def to_day_slot(self, index: int) -> tuple[int, int]:
        day = max(d for d, off in enumerate(self.offsets) if off <= index)
        return day, index - self.offsets[day]


def build(problem: Problem, weights: Weights) -> Built:
    built = Built(cp_model.CpModel(), list(instance(problem).offsets))
    sessions = {s.id: s for s in problem.sessions}
    locked = {p.session: p for p in problem.locked}
    for session in problem.sessions:
        _placement_variables(built, problem, session, locked.get(session.id))
    _rooms_hold_one_session(built, problem)
    _leads_in_one_place(built, problem)
    if weights.attendee_conflict or weights.track_parallel_pair:
        _clashes(built, problem, sessions, weights)
    if weights.track_extra_room:
        _home_rooms(built, problem, weights.track_extra_room)
    if weights.moved_session and problem.previous:
        _moves(built, problem, weights.moved_session)
    model = built.model
    model.minimize(sum(w * v for w, v in built.objective) + built.constant)
    return built


def _placement_variables(
    built: Built, problem: Problem, session: Session, lock: Placement | None
) -> None:
    model = built.model
    inst = instance(problem)
    i = inst.index[session.id]
    options = [built.offsets[d] + s for d, s in inst.starts[i]]
    if lock is not None:
        wanted = built.offsets[lock.day] + lock.slot if lock.day < len(built.offsets) else -1
        options = [wanted] if wanted in options else []
    domain = cp_model.Domain.from_values(options) if options else cp_model.Domain(1, 0)
    start = model.new_int_var_from_domain(domain, f"start[{session.id}]")
    end = model.new_int_var(0, inst.periods, f"end[{session.id}]")
    built.start[session.id], built.end[session.id] = start, end
    built.interval[session.id] = model.new_interval_var(
        start, session.duration_slots, end, f"at[{session.id}]"
    )
    rooms = [k for k in sorted(inst.fitting[i]) if lock is None or problem.rooms[k].id == lock.room]
    chosen = []
    for k in rooms:
        room = problem.rooms[k]
        present = model.new_bool_var(f"in[{session.id},{room.id}]")
        built.in_room[(session.id, room.id)] = present
        chosen.append(present)
        # A closed room: this session may not start where it would cover a closed slot.
        if inst.closed[k]:
            open_at = dict(inst.options[i])
            for d, first in inst.starts[i]:
                if k not in open_at.get((d, first), ()):
                    model.add(start != built.offsets[d] + first).only_enforce_if(present)
    model.add_exactly_one(chosen) if chosen else model.add_bool_or([])


def _rooms_hold_one_session(built: Built, problem: Problem) -> None:
    model = built.model
    sessions = {s.id: s for s in problem.sessions}
    for room in problem.rooms:
        intervals = [
            model.new_optional_interval_var(
                built.start[sid],
                sessions[sid].duration_slots,
                built.end[sid],
                present,
                f"in[{sid},{rid}]",
            )
            for (sid, rid), present in built.in_room.items()
            if rid == room.id
        ]
        if len(intervals) > 1:
            model.add_no_overlap(intervals)


def _leads_in_one_place(built: Built, problem: Problem) -> None:
    by_lead: defaultdict[str, list[str]] = defaultdict(list)
    for s in problem.sessions:
        by_lead[s.lead].append(s.id)
    for led in by_lead.values():
        if len(led) > 1:
            built.model.add_no_overlap([built.interval[sid] for sid in led])


def _overlap_flag(built: Built, a: Session, b: Session) -> cp_model.IntVar:
    """A flag that must be 1 when a and b overlap (the objective keeps it 0 otherwise)."""
    model = built.model
    flag = model.new_bool_var(f"overlap[{a.id},{b.id}]")
    sa, sb = built.start[a.id], built.start[b.id]
    if a.duration_slots == 1 and b.duration_slots == 1:
        model.add(sa != sb).only_enforce_if(flag.Not())
        built.flags[(a.id, b.id)] = (flag,)
    else:
        before = model.new_bool_var("")
        after = model.new_bool_var("")
        model.add(built.end[a.id] <= sb).only_enforce_if(before)
        model.add(built.end[b.id] <= sa).only_enforce_if(after)
        model.add_bool_or([before, after, flag])
        built.flags[(a.id, b.id)] = (flag, before, after)
    return flag


def _clashes(
    built: Built, problem: Problem, sessions: dict[str, Session], weights: Weights
) -> None:
    """S2: attendee clashes (weighted by people in both) and same-track parallel pairs."""
    cost: defaultdict[tuple[str, str], int] = defaultdict(int)
    if weights.attendee_conflict:
        for key, w in conflict_weights(problem).items():
            if key[0] in sessions and key[1] in sessions:
                cost[key] += w * weights.attendee_conflict
    if weights.track_parallel_pair:
        by_track: defaultdict[str, list[str]] = defaultdict(list)
        for s in problem.sessions:
            by_track[s.track].append(s.id)
        for members in by_track.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    cost[pair(a, b)] += weights.track_parallel_pair
    fixed = {p.session for p in problem.locked}
    for (a, b), w in cost.items():
        # Two locked sessions clash or not whatever the search does: no variable needed
        # (this keeps the small models of the neighbourhood search small).
        if w > 0 and not (a in fixed and b in fixed):
            built.objective.append((w, _overlap_flag(built, sessions[a], sessions[b])))


def _home_rooms(built: Built, problem: Problem, weight: int) -> None:
    """S2: each track keeps to one home room where it can; each extra room costs."""
    model = built.model
    track_of = {s.id: s.track for s in problem.sessions}
    uses: dict[tuple[str, str], cp_model.IntVar] = {}
    for (sid, rid), present in built.in_room.items():
        key = (track_of[sid], rid)
        if key not in uses:
            uses[key] = model.new_bool_var(f"uses[{key[0]},{rid}]")
        model.add_implication(present, uses[key])
    built.uses = uses
    by_track: defaultdict[str, list[cp_model.IntVar]] = defaultdict(list)
    for (track, _rid), used in uses.items():
        by_track[track].append(used)
    for track_uses in by_track.values():
        built.objective.extend((weight, u) for u in track_uses)  # rooms used ...
    built.constant -= weight * len(by_track)  # ... minus one per track


def _moves(built: Built, problem: Problem, weight: int) -> None:
    """S2: re-solving a published schedule moves as few sessions as it can."""
    model = built.model
    for prev in problem.previous:
        if prev.session not in built.start:
            continue
        moved = model.new_bool_var(f"moved[{prev.session}]")
        built.moved[prev.session] = moved
        where = built.offsets[prev.day] + prev.slot if prev.day < len(built.offsets) else -1
        model.add(built.start[prev.session] == where).only_enforce_if(moved.Not())
        room = built.in_room.get((prev.session, prev.room))
        if room is None:
            model.add(moved == 1)
        else:
            model.add_implication(moved.Not(), room)
        built.objective.append((weight, moved))


def add_hint(built: Built, problem: Problem, hint: tuple[Placement, ...]) -> None:
    """A complete hint: every variable gets the value the hinted placement implies, so the
    search starts from that schedule (a partial hint is often dropped)."""
    sessions = {s.id: s for s in problem.sessions}
    placed = {p.session: p for p in hint if p.session in built.start}
    if set(placed) != set(built.start):
        return
    at = {sid: built.offsets[p.day] + p.slot for sid, p in placed.items()}
    model = built.model
    for sid in placed:
        model.add_hint(built.start[sid], at[sid])
        model.add_hint(built.end[sid], at[sid] + sessions[sid].duration_slots)
    for (sid, rid), present in built.in_room.items():
        model.add_hint(present, placed[sid].room == rid)
    for (a, b), variables in built.flags.items():
        end_a, end_b = at[a] + sessions[a].duration_slots, at[b] + sessions[b].duration_slots
        before, after = end_a <= at[b], end_b <= at[a]
        model.add_hint(variables[0], not (before or after))
        if len(variables) == 3:
            model.add_hint(variables[1], before)
            model.add_hint(variables[2], after)
    used = {(sessions[sid].track, p.room) for sid, p in placed.items()}
    for key, var in built.uses.items():
        model.add_hint(var, key in used)
    previous = {p.session: p for p in problem.previous}
    for sid, var in built.moved.items():
        model.add_hint(var, previous[sid] != placed[sid])


def read_placements(
    built: Built, problem: Problem, solver: cp_model.CpSolver
) -> tuple[Placement, ...]:
    out = []
    for s in problem.sessions:
        day, slot = built.to_day_slot(solver.value(built.start[s.id]))
        room = next(
            rid
            for (sid, rid), v in built.in_room.items()
            if sid == s.id and solver.boolean_value(v)
        )
        out.append(Placement(s.id, room, day, slot))
    return tuple(out)
