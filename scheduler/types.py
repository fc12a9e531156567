"""Frozen dataclasses in and out of the solver. Time is slot indices within a day."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Slot:
    index: int
    start: str  # "HH:MM", informational
    end: str
    block: str  # consecutive slots with one label form a block; lunch splits blocks


@dataclass(frozen=True, slots=True)
class Day:
    index: int
    name: str
    slots: tuple[Slot, ...]


@dataclass(frozen=True, slots=True)
class SlotSet:
    """Some slots of one day: an unavailability, or a window a session must lie in."""

    day: int
    slots: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Room:
    id: str
    name: str
    capacity: int
    unavailable: tuple[SlotSet, ...] = ()


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    unavailable: tuple[SlotSet, ...] = ()


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    title: str
    track: str
    lead: str
    duration_slots: int
    expected_attendance: int
    interested: tuple[str, ...] = ()
    allowed_windows: tuple[SlotSet, ...] | None = None  # all its slots in one window


@dataclass(frozen=True, slots=True)
class Placement:
    session: str
    room: str
    day: int
    slot: int  # the first slot the session takes


@dataclass(frozen=True, slots=True)
class Weights:
    attendee_conflict: int = 0
    track_parallel_pair: int = 0
    track_extra_room: int = 0
    moved_session: int = 0


@dataclass(frozen=True, slots=True)
class Problem:
    name: str
    days: tuple[Day, ...]
    rooms: tuple[Room, ...]
    tracks: tuple[Track, ...]
    people: tuple[Person, ...]
    sessions: tuple[Session, ...]
    weights: Weights = Weights()
    conflicts: tuple[tuple[str, str, int], ...] | None = None  # authoritative when given
    locked: tuple[Placement, ...] = ()
    previous: tuple[Placement, ...] = ()
    slot_minutes: int = 0


class Stop(StrEnum):
    """What ended the search."""

    WORK = "work"  # the work budget was used up: a rerun gives the same schedule (S4)
    CLOCK = "clock"  # the wall-clock limit came first: a rerun may differ
    DONE = "done"  # nothing left to search: proved optimal, or proved impossible


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"  # no schedule found in the time given


@dataclass(frozen=True, slots=True)
class Goals:
    attendee_conflicts: int
    track_parallel_pairs: int
    track_extra_rooms: int
    moved_sessions: int

    def weighted(self, weights: Weights) -> int:
        return (
            self.attendee_conflicts * weights.attendee_conflict
            + self.track_parallel_pairs * weights.track_parallel_pair
            + self.track_extra_rooms * weights.track_extra_room
            + self.moved_sessions * weights.moved_session
        )


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """`time_limit` is wall-clock seconds: the result comes back within it (S4). `work` is
    the deterministic budget: the same problem, seed and work give the same schedule on
    any machine, as long as the clock does not stop the search first. One unit of work is
    about one second of search on an idle 2-core machine; None means `time_limit` units."""

    time_limit: float = 10.0
    seed: int = 0
    work: float | None = None
    workers: int = 2
    log: bool = False
    weights: Weights | None = None  # overrides the problem's weights when given
    cp_sat: bool = True  # False: greedy and annealing only (the benchmark's ablation)


@dataclass(frozen=True, slots=True)
class Progress:
    """What a running solve reports each time it finds a better schedule."""

    seconds: float
    objective: float
    bound: float


@dataclass(frozen=True, slots=True)
class Result:
    status: Status
    seconds: float
    objective: int | None = None
    bound: float | None = None
    gap: float | None = None
    goals: Goals | None = None
    assignments: tuple[Placement, ...] = ()
    explanation: tuple[str, ...] = field(default=())
    stopped_by: Stop = Stop.WORK
