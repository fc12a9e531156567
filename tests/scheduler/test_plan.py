"""The room plan: counts that add up, big sessions in big rooms; the greedy and the
annealing that follow it keep every hard rule."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scheduler.solver as solver_module
from scheduler import SolveOptions, check, score, solve
from scheduler.anneal import anneal
from scheduler.greedy import greedy
from scheduler.plan import block_of, plan_rooms
from scheduler.types import SlotSet
from tests.scheduler.helpers import problem, session


def _two_tracks(seed: int = 0):  # type: ignore[no-untyped-def]
    sessions = [
        session(
            f"{track}{i}",
            track=track,
            lead=f"l{(i + seed) % 5}",
            attendance=150 if (track, i) == ("big", 0) else 20,
            interested=tuple(f"p{j}" for j in range(i % 3, 9, 4)),
        )
        for track in ("big", "small")
        for i in range(6)
    ]
    return problem(sessions, rooms=[200, 50, 50], n_days=2)


def test_the_plan_adds_up_and_keeps_big_sessions_in_big_rooms() -> None:
    p = _two_tracks()
    plan = plan_rooms(p)
    units: defaultdict[str, int] = defaultdict(int)
    per_room_block: defaultdict[tuple[str, int], int] = defaultdict(int)
    for (track, room, block), n in plan.items():
        units[track] += n
        per_room_block[(room, block)] += n
    assert units == {"big": 6, "small": 6}
    assert all(n <= 2 for n in per_room_block.values())  # a block has two slots
    assert any(track == "big" and room == "r0" for track, room, _b in plan)
    # 8 periods a room: each track fits in one room, so the plan uses two.
    assert len({(track, room) for track, room, _b in plan}) == 2


def test_the_greedy_follows_the_plan_to_one_room_per_track() -> None:
    p = _two_tracks()
    placed = greedy(p, seed=0, plan=plan_rooms(p))
    assert placed is not None
    assert check(p, placed) == []
    assert score(p, placed).track_extra_rooms == 0


def test_a_window_gets_its_block() -> None:
    morning = (SlotSet(0, (0, 1)),)
    sessions = [session(f"rm{i}", track="release", windows=morning) for i in range(3)]
    p = problem([*sessions, session("x")], rooms=2, n_days=2)
    plan = plan_rooms(p)
    first_morning = block_of(p)[(0, 0)]
    assert all(b == first_morning for track, _r, b in plan if track == "release")


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 50))
def test_annealing_that_keeps_rooms_keeps_rules_and_rooms(seed: int) -> None:
    p = _two_tracks(seed)
    start = greedy(p, seed=seed, plan=plan_rooms(p, seed=seed))
    assert start is not None
    result = anneal(p, start, seed=seed, moves=3000, keep_rooms=True)
    assert check(p, result) == []
    tracks = {s.id: s.track for s in p.sessions}
    assert {(tracks[x.session], x.room) for x in result} <= {
        (tracks[x.session], x.room) for x in start
    }
    assert score(p, result).weighted(p.weights) <= score(p, start).weighted(p.weights)
    assert anneal(p, start, seed=seed, moves=3000, keep_rooms=True) == result


def test_s4_without_cp_sat_same_seed_same_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    # Big problems skip CP-SAT: the annealing-only path must be repeatable too.
    monkeypatch.setattr(solver_module, "MAX_CP_PAIRS", 0)
    p = _two_tracks(3)
    options = SolveOptions(time_limit=1, seed=4, workers=2)
    first, second = solve(p, options), solve(p, options)
    assert check(p, first.assignments) == []
    assert first.assignments == second.assignments
    assert first.bound is not None and first.objective is not None
    assert first.bound <= first.objective
