"""The `summit-sched-instance` file format, version 1 (see shared/scheduler-format.md).

Every field is read and checked; unknown keys are ignored; a malformed file raises
FormatError naming the field, which the command line turns into exit status 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scheduler.types import (
    Day,
    Goals,
    Person,
    Placement,
    Problem,
    Result,
    Room,
    Session,
    Slot,
    SlotSet,
    Status,
    Stop,
    Track,
    Weights,
)

FORMAT, VERSION = "summit-sched-instance", 1


class FormatError(ValueError):
    """A problem or result file that does not follow the format."""


def _get(obj: Any, key: str, kind: type | tuple[type, ...], where: str, default: Any = ...) -> Any:
    if not isinstance(obj, dict):
        raise FormatError(f"{where}: expected an object")
    if key not in obj:
        if default is ...:
            raise FormatError(f"{where}.{key}: missing")
        return default
    value = obj[key]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise FormatError(f"{where}.{key}: expected {names}, got {type(value).__name__}")
    return value


def _list(obj: Any, key: str, where: str, default: Any = ...) -> list[Any]:
    return list(_get(obj, key, list, where, default))


def _slot_sets(obj: Any, key: str, where: str) -> tuple[SlotSet, ...]:
    out = []
    for i, item in enumerate(_list(obj, key, where, [])):
        here = f"{where}.{key}[{i}]"
        slots = _list(item, "slots", here)
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in slots):
            raise FormatError(f"{here}.slots: expected a list of slot numbers")
        out.append(SlotSet(_get(item, "day", int, here), tuple(slots)))
    return tuple(out)


def _placements(items: list[Any], where: str) -> tuple[Placement, ...]:
    out = []
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        out.append(
            Placement(
                str(_get(item, "session", str, here)),
                str(_get(item, "room", str, here)),
                _get(item, "day", int, here),
                _get(item, "slot", int, here),
            )
        )
    return tuple(out)


def problem_from_json(data: Any) -> Problem:
    if not isinstance(data, dict):
        raise FormatError("problem: expected a JSON object")
    if data.get("format", FORMAT) != FORMAT:
        raise FormatError(f"format: expected {FORMAT!r}")
    if data.get("version", VERSION) != VERSION:
        raise FormatError(f"version: only version {VERSION} is understood")
    days = []
    for d, day in enumerate(_list(data, "days", "problem")):
        here = f"days[{d}]"
        if _get(day, "index", int, here, d) != d:
            raise FormatError(f"{here}.index: must be {d}")
        slots = []
        for s, slot in enumerate(_list(day, "slots", here)):
            where = f"{here}.slots[{s}]"
            if _get(slot, "index", int, where, s) != s:
                raise FormatError(f"{where}.index: must be {s}")
            slots.append(
                Slot(
                    s,
                    _get(slot, "start", str, where, ""),
                    _get(slot, "end", str, where, ""),
                    _get(slot, "block", str, where, "day"),
                )
            )
        days.append(Day(d, _get(day, "name", str, here, f"Day {d + 1}"), tuple(slots)))
    rooms = tuple(
        Room(
            _get(r, "id", str, f"rooms[{i}]"),
            _get(r, "name", str, f"rooms[{i}]", ""),
            _get(r, "capacity", int, f"rooms[{i}]"),
            _slot_sets(r, "unavailable", f"rooms[{i}]"),
        )
        for i, r in enumerate(_list(data, "rooms", "problem"))
    )
    tracks = tuple(
        Track(_get(t, "id", str, f"tracks[{i}]"), _get(t, "name", str, f"tracks[{i}]", ""))
        for i, t in enumerate(_list(data, "tracks", "problem"))
    )
    people = tuple(
        Person(
            _get(p, "id", str, f"people[{i}]"),
            _get(p, "name", str, f"people[{i}]", ""),
            _slot_sets(p, "unavailable", f"people[{i}]"),
        )
        for i, p in enumerate(_list(data, "people", "problem", []))
    )
    sessions = []
    for i, s in enumerate(_list(data, "sessions", "problem")):
        here = f"sessions[{i}]"
        interested = _list(s, "interested", here, [])
        windows = _slot_sets(s, "allowed_windows", here) if "allowed_windows" in s else None
        sessions.append(
            Session(
                _get(s, "id", str, here),
                _get(s, "title", str, here, ""),
                _get(s, "track", str, here),
                _get(s, "lead", str, here),
                _get(s, "duration_slots", int, here, 1),
                _get(s, "expected_attendance", int, here, 0),
                tuple(str(a) for a in interested),
                windows,
            )
        )
    conflicts = None
    if "conflicts" in data and data["conflicts"] is not None:
        conflicts = []
        for i, c in enumerate(_list(data, "conflicts", "problem")):
            ok = (
                isinstance(c, list)
                and len(c) == 3
                and isinstance(c[0], str)
                and isinstance(c[1], str)
                and isinstance(c[2], int)
                and c[2] > 0
            )
            if not ok:
                raise FormatError(f"conflicts[{i}]: expected [session_a, session_b, weight > 0]")
            conflicts.append((c[0], c[1], c[2]))
    raw_weights = _get(data, "objective_weights", dict, "problem", {})
    weights = Weights(**{k: _weight(raw_weights, k) for k in Weights.__slots__})
    problem = Problem(
        name=_get(data, "name", str, "problem", "unnamed"),
        days=tuple(days),
        rooms=rooms,
        tracks=tracks,
        people=people,
        sessions=tuple(sessions),
        weights=weights,
        conflicts=tuple(conflicts) if conflicts is not None else None,
        locked=_placements(_list(data, "locked", "problem", []), "locked"),
        previous=_placements(_list(data, "previous", "problem", []), "previous"),
        slot_minutes=_get(data, "slot_minutes", int, "problem", 0),
    )
    _check_references(problem)
    return problem


def _weight(weights: dict[str, Any], key: str) -> int:
    value = weights.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FormatError(f"objective_weights.{key}: expected a number ≥ 0")
    return int(value)


def _check_references(problem: Problem) -> None:
    """Ids must be unique and every reference must point at something."""
    for label, ids in (
        ("rooms", [r.id for r in problem.rooms]),
        ("tracks", [t.id for t in problem.tracks]),
        ("people", [p.id for p in problem.people]),
        ("sessions", [s.id for s in problem.sessions]),
    ):
        seen = set()
        for item in ids:
            if item in seen:
                raise FormatError(f"{label}: the id {item!r} appears twice")
            seen.add(item)
    tracks = {t.id for t in problem.tracks}
    people = {p.id for p in problem.people}
    sessions = {s.id for s in problem.sessions}
    for i, s in enumerate(problem.sessions):
        if s.track not in tracks:
            raise FormatError(f"sessions[{i}].track: no track {s.track!r}")
        if problem.people and s.lead not in people:
            raise FormatError(f"sessions[{i}].lead: no person {s.lead!r}")
        if s.duration_slots < 1:
            raise FormatError(f"sessions[{i}].duration_slots: must be at least 1")
    for label, placements in (("locked", problem.locked), ("previous", problem.previous)):
        for i, p in enumerate(placements):
            if p.session not in sessions:
                raise FormatError(f"{label}[{i}].session: no session {p.session!r}")
    for i, (a, b, _w) in enumerate(problem.conflicts or ()):
        if a not in sessions or b not in sessions:
            raise FormatError(f"conflicts[{i}]: unknown session")


def _read_json(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: not JSON ({exc})") from exc


def load_problem(path: str | Path) -> Problem:
    return problem_from_json(_read_json(path))


def _slot_sets_json(sets: tuple[SlotSet, ...]) -> list[dict[str, Any]]:
    return [{"day": s.day, "slots": list(s.slots)} for s in sets]


def _placements_json(placements: tuple[Placement, ...]) -> list[dict[str, Any]]:
    return [
        {"session": p.session, "room": p.room, "day": p.day, "slot": p.slot} for p in placements
    ]


def problem_to_json(problem: Problem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "name": problem.name,
        "slot_minutes": problem.slot_minutes,
        "days": [
            {
                "index": d.index,
                "name": d.name,
                "slots": [
                    {"index": s.index, "start": s.start, "end": s.end, "block": s.block}
                    for s in d.slots
                ],
            }
            for d in problem.days
        ],
        "rooms": [
            {
                "id": r.id,
                "name": r.name,
                "capacity": r.capacity,
                "unavailable": _slot_sets_json(r.unavailable),
            }
            for r in problem.rooms
        ],
        "tracks": [{"id": t.id, "name": t.name} for t in problem.tracks],
        "people": [
            {"id": p.id, "name": p.name, "unavailable": _slot_sets_json(p.unavailable)}
            for p in problem.people
        ],
        "sessions": [],
        "objective_weights": {k: getattr(problem.weights, k) for k in Weights.__slots__},
        "locked": _placements_json(problem.locked),
        "previous": _placements_json(problem.previous),
    }
    for s in problem.sessions:
        item: dict[str, Any] = {
            "id": s.id,
            "title": s.title,
            "track": s.track,
            "lead": s.lead,
            "duration_slots": s.duration_slots,
            "expected_attendance": s.expected_attendance,
            "interested": list(s.interested),
        }
        if s.allowed_windows is not None:
            item["allowed_windows"] = _slot_sets_json(s.allowed_windows)
        data["sessions"].append(item)
    if problem.conflicts is not None:
        data["conflicts"] = [list(c) for c in problem.conflicts]
    return data


def result_to_json(result: Result) -> dict[str, Any]:
    goals = result.goals
    return {
        "status": result.status.value,
        "seconds": round(result.seconds, 3),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "goals": None
        if goals is None
        else {
            "attendee_conflicts": goals.attendee_conflicts,
            "track_parallel_pairs": goals.track_parallel_pairs,
            "track_extra_rooms": goals.track_extra_rooms,
            "moved_sessions": goals.moved_sessions,
        },
        "assignments": _placements_json(result.assignments),
        "explanation": list(result.explanation),
        "stopped_by": result.stopped_by.value,
    }


def result_from_json(data: Any) -> Result:
    if not isinstance(data, dict):
        raise FormatError("result: expected a JSON object")
    status = _get(data, "status", str, "result")
    if status not in {s.value for s in Status}:
        raise FormatError(f"result.status: unknown status {status!r}")
    goals = data.get("goals")
    return Result(
        status=Status(status),
        seconds=float(_get(data, "seconds", (int, float), "result", 0)),
        objective=data.get("objective"),
        bound=data.get("bound"),
        gap=data.get("gap"),
        goals=Goals(**goals) if isinstance(goals, dict) else None,
        assignments=_placements(_list(data, "assignments", "result"), "assignments"),
        explanation=tuple(str(e) for e in _list(data, "explanation", "result", [])),
        stopped_by=_stop(data.get("stopped_by", Stop.WORK.value)),
    )


def _stop(value: Any) -> Stop:
    if value not in {s.value for s in Stop}:
        raise FormatError(f"result.stopped_by: unknown value {value!r}")
    return Stop(value)


def load_result(path: str | Path) -> Result:
    return result_from_json(_read_json(path))
