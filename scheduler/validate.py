"""Re-check a placement against every hard rule and score every goal, without CP-SAT."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

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


Kind = Literal[
    "unknown_session",  # a placement names no session of the problem
    "placed_twice",
    "not_placed",
    "no_room",  # room: the unknown room id
    "no_day",  # day: the unknown day index
    "outside_day",  # runs past the day's last slot (or starts before its first)
    "crosses_block",  # runs across lunch (a block boundary); slot: the first slot across
    "capacity",  # room: too small for the session's expected attendance
    "room_taken",  # sessions: two sessions in one room; day, slot: the first shared slot
    "room_closed",  # room: unavailable at day, slot
    "lead_busy",  # sessions: two sessions led by `person` at once; day, slot: first overlap
    "lead_unavailable",  # person: the session's lead, unavailable at day, slot
    "window",  # the session lies outside its allowed windows
    "lock",  # room, day, slot: the locked placement that was not kept
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule (S1), as data: the app words it for people (STYLE.md)."""

    kind: Kind
    sessions: tuple[str, ...]
    room: str | None = None
    day: int | None = None
    slot: int | None = None
    person: str | None = None

    def __str__(self) -> str:
        """A terse, id-based line for the command line and for assertion messages."""
        where = [
            f"{name} {value}"
            for name, value in (
                ("room", self.room),
                ("day", self.day),
                ("slot", self.slot),
                ("person", self.person),
            )
            if value is not None
        ]
        return f"{self.kind}: {' and '.join(self.sessions)}" + (
            f" ({', '.join(where)})" if where else ""
        )


def check(problem: Problem, assignments: tuple[Placement, ...]) -> list[Violation]:
    """Every broken hard rule; empty when the placement is valid (S1)."""
    errors: list[Violation] = []
    sessions = {s.id: s for s in problem.sessions}
    rooms = {r.id: r for r in problem.rooms}
    placed: dict[str, Placement] = {}
    for p in assignments:
        if p.session not in sessions:
            errors.append(Violation("unknown_session", (p.session,)))
        elif p.session in placed:
            errors.append(Violation("placed_twice", (p.session,)))
        else:
            placed[p.session] = p
    for missing in sorted(set(sessions) - set(placed)):
        errors.append(Violation("not_placed", (missing,)))
    occupied: dict[tuple[str, int, int], str] = {}
    for sid, p in placed.items():
        s = sessions[sid]
        room = rooms.get(p.room)
        if room is None:
            errors.append(Violation("no_room", (sid,), room=p.room))
            continue
        if not 0 <= p.day < len(problem.days):
            errors.append(Violation("no_day", (sid,), day=p.day))
            continue
        blocks = blocks_of(problem, p.day)
        taken = range(p.slot, p.slot + s.duration_slots)
        if p.slot < 0 or taken[-1] >= len(blocks):
            errors.append(Violation("outside_day", (sid,), p.room, p.day, p.slot))
            continue
        across = next((t for t in taken if blocks[t] != blocks[p.slot]), None)
        if across is not None:
            errors.append(Violation("crosses_block", (sid,), p.room, p.day, across))
        if s.expected_attendance > room.capacity:
            errors.append(Violation("capacity", (sid,), p.room, p.day, p.slot))
        taken_here: set[str] = set()
        for t in taken:
            other = occupied.get((p.room, p.day, t))
            if other is not None and other not in taken_here:
                taken_here.add(other)
                errors.append(Violation("room_taken", pair(sid, other), p.room, p.day, t))
            occupied[(p.room, p.day, t)] = sid
        closed = next(
            (t for t in taken if any(u.day == p.day and t in u.slots for u in room.unavailable)),
            None,
        )
        if closed is not None:
            errors.append(Violation("room_closed", (sid,), p.room, p.day, closed))
        errors.extend(_availability(problem, s, p))
    by_lead: defaultdict[str, list[str]] = defaultdict(list)
    for sid in placed:
        by_lead[sessions[sid].lead].append(sid)
    for lead, led in by_lead.items():
        for a, b in combinations(sorted(led), 2):
            pa, pb = placed[a], placed[b]
            if overlaps(pa, sessions[a].duration_slots, pb, sessions[b].duration_slots):
                first = max(pa.slot, pb.slot)
                errors.append(Violation("lead_busy", (a, b), day=pa.day, slot=first, person=lead))
    for lock in problem.locked:
        if placed.get(lock.session) not in (None, lock):
            errors.append(Violation("lock", (lock.session,), lock.room, lock.day, lock.slot))
    return errors


def _availability(problem: Problem, s: Session, p: Placement) -> list[Violation]:
    errors = []
    taken = set(range(p.slot, p.slot + s.duration_slots))
    lead = next((x for x in problem.people if x.id == s.lead), None)
    if lead is not None:
        away = sorted(t for u in lead.unavailable if u.day == p.day for t in taken & set(u.slots))
        if away:
            errors.append(
                Violation("lead_unavailable", (s.id,), p.room, p.day, away[0], person=s.lead)
            )
    if s.allowed_windows is not None and not any(
        w.day == p.day and taken <= set(w.slots) for w in s.allowed_windows
    ):
        errors.append(Violation("window", (s.id,), p.room, p.day, p.slot))
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
