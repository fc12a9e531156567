"""Why no schedule exists, in words an organizer understands (S3).

Each check counts something simple that no schedule can get around; together they name the
usual causes precisely. They run before the solver, so an impossible problem is explained
at once, without a search.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from scheduler.instance import instance, starts
from scheduler.types import Problem, Session, SlotSet
from scheduler.validate import overlaps

# Each reason's English words; `Reason` keeps its kind and values too, so that an app can
# word it in its reader's language (summit/services/scheduling.py does).
TEXTS = {
    "too_long": "“{title}” needs {slots} consecutive slots, but the longest block between "
    "breaks has {longest}.",
    "too_big": "“{title}” expects {people} people, but the largest room holds {biggest}.",
    "no_start": "“{title}” has no possible time: its window and its lead's availability "
    "leave no run of free slots long enough.",
    "window_too_small": "{track} needs {need} slots; its window, {where}, has {room_slots} "
    "({periods} slots × {rooms} rooms).",
    "lead_window_too_small": "{lead} leads {slots} slots of {track} sessions; its window, "
    "{where}, has only {periods} slots.",
    "lead_overbooked": "{lead} leads {sessions} sessions taking {need} slots, but can attend "
    "only {can} slots.",
    "room_slots": "The sessions need {need} session-slots, but the rooms offer only "
    "{room_slots} ({rooms} rooms × {slots} slots, less closures).",
    "locked_same_room": "Locked sessions “{first}” and “{second}” are both in room {room} at "
    "the same time.",
    "locked_same_lead": "Locked sessions “{first}” and “{second}” have the same lead, {lead}, "
    "at the same time.",
    "locked_too_small": "“{title}” is locked in {room}, which holds {capacity}, but {people} "
    "people are expected.",
    "locked_no_start": "“{title}” is locked at a time it cannot take (across lunch, outside "
    "its window, or while its lead is away).",
}


class Reason(str):
    """One reason, as its English text (what the command line prints and JSON carries),
    with its `kind` (a key of TEXTS) and the `values` it was worded from."""

    kind: str
    values: dict[str, str | int]

    def __new__(cls, kind: str, **values: str | int) -> Reason:
        reason = super().__new__(cls, TEXTS[kind].format(**values))
        reason.kind, reason.values = kind, values
        return reason


def _day_name(problem: Problem, day: int) -> str:
    return problem.days[day].name if 0 <= day < len(problem.days) else f"day {day}"


def _window_name(problem: Problem, windows: tuple[SlotSet, ...]) -> str:
    parts = []
    for w in windows:
        blocks = sorted(
            {
                problem.days[w.day].slots[s].block
                for s in w.slots
                if 0 <= w.day < len(problem.days) and s < len(problem.days[w.day].slots)
            }
        )
        parts.append(f"{_day_name(problem, w.day)} {'/'.join(blocks)}".strip())
    return ", ".join(parts)


def blocks(problem: Problem) -> list[tuple[int, list[int]]]:
    """Every block as (day, its slot indices)."""
    out = []
    for day in problem.days:
        current: list[int] = []
        for slot in day.slots:
            if current and day.slots[current[-1]].block != slot.block:
                out.append((day.index, current))
                current = []
            current.append(slot.index)
        if current:
            out.append((day.index, current))
    return out


def explain(problem: Problem) -> list[Reason]:
    reasons: list[Reason] = []
    reasons += _too_long(problem)
    reasons += _too_big(problem)
    reasons += _no_start(problem)
    reasons += _windows_too_small(problem)
    reasons += _leads_overbooked(problem)
    reasons += _not_enough_room_slots(problem)
    reasons += _locked_collisions(problem)
    return reasons


def _too_long(problem: Problem) -> list[Reason]:
    longest = max((len(slots) for _d, slots in blocks(problem)), default=0)
    return [
        Reason("too_long", title=s.title or s.id, slots=s.duration_slots, longest=longest)
        for s in problem.sessions
        if s.duration_slots > longest
    ]


def _too_big(problem: Problem) -> list[Reason]:
    biggest = max((r.capacity for r in problem.rooms), default=0)
    return [
        Reason("too_big", title=s.title or s.id, people=s.expected_attendance, biggest=biggest)
        for s in problem.sessions
        if s.expected_attendance > biggest
    ]


def _no_start(problem: Problem) -> list[Reason]:
    longest = max((len(slots) for _d, slots in blocks(problem)), default=0)
    out = []
    for s in problem.sessions:
        if s.duration_slots <= longest and not starts(problem, s):
            out.append(Reason("no_start", title=s.title or s.id))
    return out


def _windows_too_small(problem: Problem) -> list[Reason]:
    """A track (or group of sessions) confined to a window needs more slots than it has."""
    groups: defaultdict[tuple[str, tuple[SlotSet, ...]], list[Session]] = defaultdict(list)
    for s in problem.sessions:
        if s.allowed_windows is not None:
            groups[(s.track, s.allowed_windows)].append(s)
    tracks = {t.id: t.name for t in problem.tracks}
    out = []
    for (track, windows), members in groups.items():
        need = sum(s.duration_slots for s in members)
        periods = sum(len(w.slots) for w in windows)
        smallest = min(s.expected_attendance for s in members)
        rooms = sum(1 for r in problem.rooms if r.capacity >= smallest)
        room_slots = periods * rooms
        where = _window_name(problem, windows)
        name = tracks.get(track, track)
        if need > room_slots:
            out.append(
                Reason(
                    "window_too_small",
                    track=name,
                    need=need,
                    where=where,
                    room_slots=room_slots,
                    periods=periods,
                    rooms=rooms,
                )
            )
        by_lead: defaultdict[str, int] = defaultdict(int)
        for s in members:
            by_lead[s.lead] += s.duration_slots
        for lead, slots in by_lead.items():
            if slots > periods:
                out.append(
                    Reason(
                        "lead_window_too_small",
                        lead=_person(problem, lead),
                        slots=slots,
                        track=name,
                        where=where,
                        periods=periods,
                    )
                )
    return out


def _person(problem: Problem, person_id: str) -> str:
    person = next((p for p in problem.people if p.id == person_id), None)
    return person.name if person and person.name else person_id


def _leads_overbooked(problem: Problem) -> list[Reason]:
    inst = instance(problem)
    total = inst.periods
    by_lead: defaultdict[str, list[Session]] = defaultdict(list)
    for s in problem.sessions:
        by_lead[s.lead].append(s)
    out = []
    for p in problem.people:
        led = by_lead.get(p.id, [])
        need = sum(s.duration_slots for s in led)
        can = total - len(inst.away.get(p.id, ()))
        if led and need > can:
            out.append(
                Reason(
                    "lead_overbooked",
                    lead=_person(problem, p.id),
                    sessions=len(led),
                    need=need,
                    can=can,
                )
            )
    return out


def _not_enough_room_slots(problem: Problem) -> list[Reason]:
    inst = instance(problem)
    total = inst.periods
    room_slots = sum(total - len(closed) for closed in inst.closed)
    need = sum(s.duration_slots for s in problem.sessions)
    if need > room_slots:
        return [
            Reason(
                "room_slots",
                need=need,
                room_slots=room_slots,
                rooms=len(problem.rooms),
                slots=total,
            )
        ]
    return []


def _locked_collisions(problem: Problem) -> list[Reason]:
    sessions = {s.id: s for s in problem.sessions}
    locked = [p for p in problem.locked if p.session in sessions]
    out = []
    for a, b in combinations(locked, 2):
        sa, sb = sessions[a.session], sessions[b.session]
        if not overlaps(a, sa.duration_slots, b, sb.duration_slots):
            continue
        if a.room == b.room:
            out.append(
                Reason(
                    "locked_same_room",
                    first=sa.title or sa.id,
                    second=sb.title or sb.id,
                    room=a.room,
                )
            )
        elif sa.lead == sb.lead:
            out.append(
                Reason(
                    "locked_same_lead",
                    first=sa.title or sa.id,
                    second=sb.title or sb.id,
                    lead=_person(problem, sa.lead),
                )
            )
    rooms = {r.id: r for r in problem.rooms}
    for p in locked:
        s, room = sessions[p.session], rooms.get(p.room)
        if room is not None and s.expected_attendance > room.capacity:
            out.append(
                Reason(
                    "locked_too_small",
                    title=s.title or s.id,
                    room=room.name or room.id,
                    capacity=room.capacity,
                    people=s.expected_attendance,
                )
            )
        if (p.day, p.slot) not in starts(problem, s):
            out.append(Reason("locked_no_start", title=s.title or s.id))
    return out
