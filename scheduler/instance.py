"""One instance, computed once: every stage reads it, none re-derives a rule.

The timeline (each day's first slot on one global axis), where each session may start
(inside one block, inside one allowed window, while its lead is there), which rooms can
take it there (big enough, open for every slot it takes), each room's closed slots, each
lead's away slots, and who clashes with whom (`validate.conflict_weights`).

`validate.check` alone stays independent of this module: it re-checks every result from
the problem itself, so that a mistake here shows up as a broken rule, not a bad schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from scheduler.types import Problem, Session, SlotSet, Weights
from scheduler.validate import conflict_weights

Time = tuple[int, int]  # (day, slot)


def _slots(sets: tuple[SlotSet, ...]) -> frozenset[Time]:
    return frozenset((u.day, s) for u in sets for s in u.slots)


@dataclass(frozen=True, slots=True)
class Instance:
    offsets: tuple[int, ...]  # day d's slot s is the global period offsets[d] + s
    periods: int  # slots over all days
    index: Mapping[str, int]  # session id → its position in problem.sessions
    starts: tuple[tuple[Time, ...], ...]  # per session: legal starts, rooms aside
    fitting: tuple[tuple[int, ...], ...]  # per session: rooms big enough, smallest first
    options: tuple[tuple[tuple[Time, tuple[int, ...]], ...], ...]  # (start, open rooms)
    closed: tuple[frozenset[Time], ...]  # per room: its closed slots
    away: Mapping[str, frozenset[Time]]  # per person: the slots they declared away
    neighbours: tuple[Mapping[int, int], ...]  # per session: clashing session → weight


def instance(problem: Problem) -> Instance:
    """The instance of a problem; computed once per problem (cached on its value). Locks,
    the previous placement, weights and name are no part of it: the neighbourhood search
    fixes sessions through `locked` and must not recompute it each step."""
    return _instance(replace(problem, name="", weights=Weights(), locked=(), previous=()))


@lru_cache(maxsize=8)
def _instance(problem: Problem) -> Instance:
    offsets, total = [], 0
    for day in problem.days:
        offsets.append(total)
        total += len(day.slots)
    index = {s.id: i for i, s in enumerate(problem.sessions)}
    away = {p.id: _slots(p.unavailable) for p in problem.people}
    closed = tuple(_slots(r.unavailable) for r in problem.rooms)
    by_size = sorted(range(len(problem.rooms)), key=lambda k: problem.rooms[k].capacity)
    starts, fitting, options = [], [], []
    for s in problem.sessions:
        legal = tuple(_starts(problem, s, away.get(s.lead, frozenset())))
        fit = tuple(k for k in by_size if problem.rooms[k].capacity >= s.expected_attendance)
        here = []
        for d, first in legal:
            taken = [(d, t) for t in range(first, first + s.duration_slots)]
            open_rooms = tuple(k for k in fit if not any(x in closed[k] for x in taken))
            if open_rooms:
                here.append(((d, first), open_rooms))
        starts.append(legal)
        fitting.append(fit)
        options.append(tuple(here))
    neighbours: list[dict[int, int]] = [{} for _ in problem.sessions]
    for (a, b), w in conflict_weights(problem).items():
        if a in index and b in index:
            neighbours[index[a]][index[b]] = w
            neighbours[index[b]][index[a]] = w
    return Instance(
        offsets=tuple(offsets),
        periods=total,
        index=index,
        starts=tuple(starts),
        fitting=tuple(fitting),
        options=tuple(options),
        closed=closed,
        away=away,
        neighbours=tuple(neighbours),
    )


def _starts(problem: Problem, session: Session, away: frozenset[Time]) -> list[Time]:
    """Every (day, slot) where the session may start, rooms aside."""
    windows = None
    if session.allowed_windows is not None:
        windows = [(w.day, set(w.slots)) for w in session.allowed_windows]
    out = []
    k = session.duration_slots
    for day in problem.days:
        blocks = [slot.block for slot in day.slots]
        for first in range(len(blocks) - k + 1):
            taken = range(first, first + k)
            if len({blocks[t] for t in taken}) > 1:
                continue
            if any((day.index, t) in away for t in taken):
                continue
            if windows is not None and not any(
                d == day.index and all(t in w for t in taken) for d, w in windows
            ):
                continue
            out.append((day.index, first))
    return out


def starts(problem: Problem, session: Session) -> list[Time]:
    """Every (day, slot) where a session of the problem may start, rooms aside."""
    inst = instance(problem)
    i = inst.index.get(session.id)
    if i is not None and problem.sessions[i] == session:
        return list(inst.starts[i])
    return _starts(problem, session, _slots(_lead(problem, session)))


def _lead(problem: Problem, session: Session) -> tuple[SlotSet, ...]:
    lead = next((p for p in problem.people if p.id == session.lead), None)
    return lead.unavailable if lead is not None else ()
