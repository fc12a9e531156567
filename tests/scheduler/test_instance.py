"""The one instance every stage reads agrees with the independent checker (S1)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from scheduler import check
from scheduler.instance import instance
from scheduler.types import Placement, Problem
from tests.scheduler.test_floor import ANY_PROBLEM

OWN_RULES = {"crosses_block", "outside_day", "capacity", "room_closed", "lead_unavailable"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_PROBLEM)
def test_a_start_and_room_is_an_option_exactly_when_the_checker_allows_it(
    problem: Problem,
) -> None:
    """For each session alone, every (day, slot, room): among the instance's options iff
    the checker finds no rule of the session's own broken (windows included)."""
    inst = instance(problem)
    for i, s in enumerate(problem.sessions):
        options = {(when, k) for when, rooms in inst.options[i] for k in rooms}
        for day in problem.days:
            for slot in day.slots:
                for k, room in enumerate(problem.rooms):
                    placed = (Placement(s.id, room.id, day.index, slot.index),)
                    broken = {
                        v.kind
                        for v in check(problem, placed)
                        if s.id in v.sessions and v.kind in OWN_RULES | {"window"}
                    }
                    assert (((day.index, slot.index), k) in options) == (not broken), broken
