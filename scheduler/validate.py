"""Re-check a placement against every hard rule and score every goal, without CP-SAT."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from scheduler.types import Goals, Placement, Problem, Session

Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def conflict_weights(problem: Problem) -> dict[Pair, int]:
    """weight(a, b): the `conflicts` list when given, else people interested in both."""
    if problem.conflicts is not None:
        weights: Counter[Pair] = Counter()
        for a, b, w in problem.conflicts:
            if a != b:
                weights[pair(a, b)] += w
        return dict(weights)
    by_person: defaultdict[str, list[str]] = defaultdict(list)
    for session in problem.sessions:
        for person in set(session.interested):
            by_person[person].append(session.id)
    counts: Counter[Pair] = Counter()
    for sessions in by_person.values():
        for a, b in combinations(sorted(sessions), 2):
            counts[(a, b)] += 1
    return dict(counts)


def blocks_of(problem: Problem, day: int) -> list[str]:
    return [slot.block for slot in problem.days[day].slots]


def overlaps(a: Placement, da: int, b: Placement, db: int) -> bool:
    return a.day == b.day and a.slot < b.slot + db and b.slot < a.slot + da


def check(problem: Problem, assignments: tuple[Placement, ...]) -> list[str]:
    """Every broken hard rule, in words; empty when the placement is valid (S1)."""
    errors: list[str] = []
    sessions = {s.id: s for s in problem.sessions}
    rooms = {r.id: r for r in problem.rooms}
    placed: dict[str, Placement] = {}
    for p in assignments:
        if p.session not in sessions:
            errors.append(f"{p.session}: no such session")
        elif p.session in placed:
            errors.append(f"{p.session}: placed twice")
        else:
            placed[p.session] = p
    for missing in sorted(set(sessions) - set(placed)):
        errors.append(f"{missing}: not placed")
    occupied: dict[tuple[str, int, int], str] = {}
    for sid, p in placed.items():
        s = sessions[sid]
        room = rooms.get(p.room)
        if room is None:
            errors.append(f"{sid}: no room {p.room}")
            continue
        if not 0 <= p.day < len(problem.days):
            errors.append(f"{sid}: no day {p.day}")
            continue
        blocks = blocks_of(problem, p.day)
        taken = range(p.slot, p.slot + s.duration_slots)
        if p.slot < 0 or taken[-1] >= len(blocks):
            errors.append(f"{sid}: runs outside day {p.day}")
            continue
        if len({blocks[t] for t in taken}) > 1:
            errors.append(f"{sid}: crosses a block boundary (lunch) on day {p.day}")
        if s.expected_attendance > room.capacity:
            errors.append(
                f"{sid}: {s.expected_attendance} expected, room {room.id} holds {room.capacity}"
            )
        for t in taken:
            other = occupied.get((p.room, p.day, t))
            if other is not None:
                errors.append(f"{sid} and {other}: both in room {p.room}, day {p.day}, slot {t}")
            occupied[(p.room, p.day, t)] = sid
            if any(u.day == p.day and t in u.slots for u in room.unavailable):
                errors.append(f"{sid}: room {p.room} is unavailable on day {p.day}, slot {t}")
        errors.extend(_availability(problem, s, p))
    by_lead: defaultdict[str, list[str]] = defaultdict(list)
    for sid in placed:
        by_lead[sessions[sid].lead].append(sid)
    for lead, led in by_lead.items():
        for a, b in combinations(sorted(led), 2):
            if overlaps(
                placed[a], sessions[a].duration_slots, placed[b], sessions[b].duration_slots
            ):
                errors.append(f"{a} and {b}: lead {lead} is in both at once")
    for lock in problem.locked:
        if placed.get(lock.session) not in (None, lock):
            errors.append(f"{lock.session}: locked placement not kept")
    return errors


def _availability(problem: Problem, s: Session, p: Placement) -> list[str]:
    errors = []
    taken = set(range(p.slot, p.slot + s.duration_slots))
    lead = next((x for x in problem.people if x.id == s.lead), None)
    if lead is not None:
        for u in lead.unavailable:
            if u.day == p.day and taken & set(u.slots):
                errors.append(f"{s.id}: lead {s.lead} is unavailable then")
    if s.allowed_windows is not None and not any(
        w.day == p.day and taken <= set(w.slots) for w in s.allowed_windows
    ):
        errors.append(f"{s.id}: outside its allowed windows")
    return errors


def score(problem: Problem, assignments: tuple[Placement, ...]) -> Goals:
    """Every goal's value (S2) for a placement."""
    sessions = {s.id: s for s in problem.sessions}
    placed = {p.session: p for p in assignments if p.session in sessions}
    weights = conflict_weights(problem)
    attendee = 0
    for (a, b), w in weights.items():
        if (
            a in placed
            and b in placed
            and overlaps(
                placed[a], sessions[a].duration_slots, placed[b], sessions[b].duration_slots
            )
        ):
            attendee += w
    parallel = 0
    by_track: defaultdict[str, list[str]] = defaultdict(list)
    for sid in placed:
        by_track[sessions[sid].track].append(sid)
    for members in by_track.values():
        for a, b in combinations(members, 2):
            if overlaps(
                placed[a], sessions[a].duration_slots, placed[b], sessions[b].duration_slots
            ):
                parallel += 1
    extra_rooms = sum(
        len({placed[s].room for s in members}) - 1 for members in by_track.values() if members
    )
    previous = {p.session: p for p in problem.previous}
    moved = sum(1 for sid, p in placed.items() if sid in previous and previous[sid] != p)
    return Goals(attendee, parallel, extra_rooms, moved)
