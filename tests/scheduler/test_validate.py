"""The checker on its own: one placement per hard rule, built to break exactly that rule,
is reported with the right record (S1). The app's move refusals and publish rely on it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler import check
from scheduler.types import Person, Placement, Problem, SlotSet
from scheduler.validate import Violation
from tests.scheduler.helpers import problem, session

# One day: slots 0 and 1 in the morning, 2 and 3 in the afternoon; rooms r0 and r1.


def at(sid: str, room: str = "r0", slot: int = 0, day: int = 0) -> Placement:
    return Placement(sid, room, day, slot)


def two(**kwargs: object) -> Problem:
    return problem([session("a", **kwargs), session("b")], rooms=2)  # type: ignore[arg-type]


VALID = (at("a", "r0", 0), at("b", "r1", 0))


def test_a_valid_placement_breaks_nothing() -> None:
    assert check(two(), VALID) == []


def test_room_taken() -> None:
    assert check(two(), (at("a", "r0", 1), at("b", "r0", 1))) == [
        Violation("room_taken", ("a", "b"), "r0", 0, 1)
    ]


def test_room_taken_by_a_longer_session_from_its_second_slot() -> None:
    p = problem([session("a", duration=2), session("b")], rooms=2)
    assert check(p, (at("a", "r1", 0), at("b", "r1", 1))) == [
        Violation("room_taken", ("a", "b"), "r1", 0, 1)
    ]


def test_lead_busy() -> None:
    p = problem([session("a", lead="x"), session("b", lead="x")], rooms=2)
    assert check(p, (at("a", "r0", 2), at("b", "r1", 2))) == [
        Violation("lead_busy", ("a", "b"), day=0, slot=2, person="x")
    ]


def test_lead_busy_when_sessions_only_partly_overlap() -> None:
    p = problem([session("a", lead="x", duration=2), session("b", lead="x")], rooms=2)
    assert check(p, (at("a", "r0", 2), at("b", "r1", 3))) == [
        Violation("lead_busy", ("a", "b"), day=0, slot=3, person="x")
    ]


def test_crosses_block_lunch() -> None:
    p = problem([session("a", duration=2), session("b")], rooms=2)
    assert check(p, (at("a", "r0", 1), at("b", "r1", 0))) == [
        Violation("crosses_block", ("a",), "r0", 0, 2)
    ]


def test_outside_day() -> None:
    p = problem([session("a", duration=2), session("b")], rooms=2)
    assert check(p, (at("a", "r0", 3), at("b", "r1", 0))) == [
        Violation("outside_day", ("a",), "r0", 0, 3)
    ]


def test_window() -> None:
    p = two(windows=(SlotSet(0, (0, 1)),))
    assert check(p, VALID) == []
    assert check(p, (at("a", "r0", 2), at("b", "r1", 0))) == [
        Violation("window", ("a",), "r0", 0, 2)
    ]


def test_window_must_hold_every_slot_of_the_session() -> None:
    p = problem([session("a", duration=2, windows=(SlotSet(0, (1, 2, 3)),))], rooms=1)
    assert check(p, (at("a", "r0", 2),)) == []
    assert check(p, (at("a", "r0", 0),)) == [Violation("window", ("a",), "r0", 0, 0)]


def test_capacity() -> None:
    p = problem([session("a", attendance=90), session("b")], rooms=[100, 80])
    assert check(p, VALID) == []
    assert check(p, (at("a", "r1", 0), at("b", "r0", 0))) == [
        Violation("capacity", ("a",), "r1", 0, 0)
    ]


def test_lock() -> None:
    p = replace(two(), locked=(at("a", "r0", 0),))
    assert check(p, VALID) == []
    assert check(p, (at("a", "r0", 1), at("b", "r1", 0))) == [Violation("lock", ("a",), "r0", 0, 0)]


def test_lead_unavailable() -> None:
    away = Person("x", "X", (SlotSet(0, (3,)),))
    p = problem([session("a", lead="x", duration=2), session("b")], rooms=2, people=[away])
    assert check(p, (at("a", "r0", 0), at("b", "r1", 0))) == []
    assert check(p, (at("a", "r0", 2), at("b", "r1", 0))) == [
        Violation("lead_unavailable", ("a",), "r0", 0, 3, person="x")
    ]


def test_lead_unavailable_on_another_day_is_no_matter() -> None:
    away = Person("x", "X", (SlotSet(1, (0, 1, 2, 3)),))
    p = problem([session("a", lead="x")], rooms=1, n_days=2, people=[away])
    assert check(p, (at("a", "r0", 0, day=0),)) == []
    assert check(p, (at("a", "r0", 0, day=1),)) == [
        Violation("lead_unavailable", ("a",), "r0", 1, 0, person="x")
    ]


def test_room_closed() -> None:
    p = two()
    closed = (p.rooms[0], replace(p.rooms[1], unavailable=(SlotSet(0, (1,)),)))
    p = replace(p, rooms=closed)
    assert check(p, VALID) == []
    assert check(p, (at("a", "r0", 0), at("b", "r1", 1))) == [
        Violation("room_closed", ("b",), "r1", 0, 1)
    ]


@pytest.mark.parametrize(
    ("placements", "expected"),
    [
        ((at("a"),), [Violation("not_placed", ("b",))]),
        ((*VALID, at("a", "r1", 3)), [Violation("placed_twice", ("a",))]),
        ((*VALID, at("zz")), [Violation("unknown_session", ("zz",))]),
        ((at("a", "r9"), at("b", "r1")), [Violation("no_room", ("a",), room="r9")]),
        ((at("a", day=4), at("b", "r1")), [Violation("no_day", ("a",), day=4)]),
    ],
)
def test_every_session_placed_once_in_a_room_and_day_that_exist(
    placements: tuple[Placement, ...], expected: list[Violation]
) -> None:
    assert check(two(), placements) == expected


def test_a_record_reads_tersely_for_the_command_line() -> None:
    v = Violation("room_taken", ("a", "b"), "r0", 0, 1)
    assert str(v) == "room_taken: a and b (room r0, day 0, slot 1)"
