"""S1-S4 on tiny problems: every hard rule, every goal, explanations, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import SolveOptions, Status, check, solve
from scheduler.__main__ import main
from scheduler.fileio import problem_to_json, result_to_json
from scheduler.types import Person, Placement, Problem, SlotSet, Weights
from tests.scheduler.helpers import problem, session

FAST = SolveOptions(time_limit=5, seed=1, workers=1)


def solved(p):  # type: ignore[no-untyped-def]
    result = solve(p, FAST)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE), result.explanation
    assert check(p, result.assignments) == []
    return result


def test_s1_one_session_per_room_and_slot() -> None:
    p = problem([session(str(i)) for i in range(4)], rooms=1, morning=2, afternoon=2)
    result = solved(p)
    assert len({(a.day, a.slot) for a in result.assignments}) == 4
    too_many = problem([session(str(i)) for i in range(5)], rooms=1, morning=2, afternoon=2)
    failed = solve(too_many, FAST)
    assert failed.status is Status.INFEASIBLE
    assert failed.explanation == (
        "The sessions need 5 session-slots, but the rooms offer only 4 (1 rooms × 4 slots, "
        "less closures).",
    )


def test_s1_two_slot_sessions_never_cross_lunch() -> None:
    p = problem(
        [session("long", duration=2), session("a"), session("b")], rooms=1, morning=2, afternoon=2
    )
    result = solved(p)
    long = next(a for a in result.assignments if a.session == "long")
    assert long.slot in (0, 2)  # starts a block: 0-1 is the morning, 2-3 the afternoon
    crossing = problem([session("long", duration=3)], morning=2, afternoon=2)
    failed = solve(crossing, FAST)
    assert failed.status is Status.INFEASIBLE
    assert (
        "needs 3 consecutive slots, but the longest block between breaks has 2"
        in failed.explanation[0]
    )


def test_s1_a_lead_is_never_in_two_places() -> None:
    p = problem(
        [session("a", lead="ttx"), session("b", lead="ttx")], rooms=2, morning=1, afternoon=1
    )
    result = solved(p)
    assert {a.slot for a in result.assignments} == {0, 1}
    overbooked = problem(
        [session(str(i), lead="ttx") for i in range(3)], rooms=3, morning=1, afternoon=1
    )
    failed = solve(overbooked, FAST)
    assert failed.status is Status.INFEASIBLE
    assert "Ttx leads 3 sessions taking 3 slots, but can attend only 2 slots." in failed.explanation


def test_s1_attendance_fits_the_room() -> None:
    p = problem(
        [session("big", attendance=150), session("small", attendance=20)],
        rooms=[160, 30],
        morning=1,
        afternoon=0,
    )
    result = solved(p)
    assert {a.session: a.room for a in result.assignments} == {"big": "r0", "small": "r1"}
    failed = solve(problem([session("huge", attendance=500)], rooms=[160, 30]), FAST)
    assert failed.explanation == (
        "“Session huge” expects 500 people, but the largest room holds 160.",
    )


def test_s1_track_windows_hold_and_a_small_window_is_explained() -> None:
    morning = (SlotSet(0, (0, 1)),)
    rm = [session(f"rm{i}", track="release", windows=morning) for i in range(2)]
    result = solved(problem([*rm, session("x")], rooms=1, n_days=2))
    assert all(
        a.day == 0 and a.slot in (0, 1) for a in result.assignments if a.session.startswith("rm")
    )
    crowded = problem(
        [session(f"rm{i}", track="release", windows=morning) for i in range(6)], rooms=2, n_days=2
    )
    failed = solve(crowded, FAST)
    assert failed.status is Status.INFEASIBLE
    assert (
        "Release needs 6 slots; its window, Day 1 morning, has 4 (2 slots × 2 rooms)."
        in failed.explanation
    )


def test_s1_lead_unavailability_holds() -> None:
    late = Person("late", "Late Arrival", (SlotSet(0, (0, 1)),))
    p = problem([session("a", lead="late")], rooms=1, people=[late])
    result = solved(p)
    assert result.assignments[0].slot in (2, 3)


def test_s1_locked_placements_stay_and_colliding_locks_are_explained() -> None:
    lock = Placement("b", "r1", 0, 3)
    p = problem([session("a"), session("b"), session("c")], rooms=2, locked=(lock,))
    result = solved(p)
    assert lock in result.assignments
    clash = problem(
        [session("a"), session("b")],
        rooms=2,
        locked=(Placement("a", "r0", 0, 1), Placement("b", "r0", 0, 1)),
    )
    failed = solve(clash, FAST)
    assert failed.status is Status.INFEASIBLE
    assert (
        "Locked sessions “Session a” and “Session b” are both in room r0 at the same time."
        in failed.explanation
    )


def test_s2_same_track_apart_home_room_and_attendee_clashes() -> None:
    # Two Nova sessions and two Swift sessions, two rooms, two periods: the best schedule runs
    # Nova and Swift side by side, each in its own room.
    p = problem(
        [session("n1"), session("n2"), session("s1", track="swift"), session("s2", track="swift")],
        rooms=2,
        morning=2,
        afternoon=0,
    )
    result = solved(p)
    assert result.status is Status.OPTIMAL
    assert result.goals is not None
    assert (result.goals.track_parallel_pairs, result.goals.track_extra_rooms) == (0, 0)
    assert result.objective == 0
    assert result.bound == 0
    # Three people want both a and b, one wants a and c: a and b must not clash.
    people = ("p1", "p2", "p3")
    clashy = problem(
        [
            session("a", track="t1", interested=(*people, "p4")),
            session("b", track="t2", interested=people),
            session("c", track="t3", interested=("p4",)),
        ],
        rooms=2,
        morning=2,
        afternoon=0,
        weights=Weights(attendee_conflict=1),
    )
    best = solved(clashy)
    assert best.goals is not None
    assert best.goals.attendee_conflicts == 0  # two rooms, two periods: c pairs with b
    slots = {a.session: a.slot for a in best.assignments}
    assert slots["a"] != slots["b"]


def test_s2_resolving_moves_the_fewest_sessions() -> None:
    previous = (Placement("a", "r0", 0, 0), Placement("b", "r0", 0, 1), Placement("c", "r0", 0, 2))
    p = problem(
        [session("a"), session("b"), session("c"), session("d")],
        rooms=1,
        previous=previous,
        locked=(Placement("d", "r0", 0, 1),),
        weights=Weights(moved_session=1),
    )
    result = solved(p)
    assert result.goals is not None
    assert result.goals.moved_sessions == 1  # only b had to make way for the locked d


def test_s4_same_input_same_seed_same_schedule() -> None:
    sessions = [
        session(
            f"s{i}",
            track=f"t{i % 3}",
            lead=f"l{i % 4}",
            interested=tuple(f"p{j}" for j in range(i % 5, 9, 2)),
        )
        for i in range(14)
    ]
    p = problem(sessions, rooms=3, n_days=2)
    options = SolveOptions(time_limit=2, seed=7, workers=2)
    first, second = solve(p, options), solve(p, options)
    assert first.assignments == second.assignments
    assert first.objective == second.objective


@st.composite
def small_problems(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 7))
    tracks = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    leads = draw(st.lists(st.sampled_from(["x", "y", "z", "w"]), min_size=n, max_size=n))
    durations = draw(st.lists(st.integers(1, 2), min_size=n, max_size=n))
    attendance = draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    fans = draw(
        st.lists(
            st.lists(st.sampled_from(["p1", "p2", "p3", "p4"]), max_size=3), min_size=n, max_size=n
        )
    )
    sessions = [
        session(
            f"s{i}",
            track=tracks[i],
            lead=leads[i],
            duration=durations[i],
            attendance=attendance[i],
            interested=tuple(set(fans[i])),
        )
        for i in range(n)
    ]
    rooms = draw(st.lists(st.integers(10, 80), min_size=1, max_size=3))
    return problem(
        sessions,
        rooms=rooms,
        n_days=draw(st.integers(1, 2)),
        morning=draw(st.integers(1, 3)),
        afternoon=draw(st.integers(0, 3)),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_s1_s3_every_result_passes_check_or_is_explained(p) -> None:  # type: ignore[no-untyped-def]
    result = solve(p, SolveOptions(time_limit=2, seed=0, workers=1))
    if result.status in (Status.OPTIMAL, Status.FEASIBLE):
        assert check(p, result.assignments) == []
        assert result.goals is not None
        assert result.bound is not None
        assert result.bound <= result.objective + 1e-6
    else:
        assert result.status is Status.INFEASIBLE
        assert result.explanation


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 3))
def test_s3_a_problem_built_to_be_infeasible_names_its_cause(extra: int, rooms: int) -> None:
    slots = 2
    sessions = [session(f"s{i}") for i in range(rooms * slots + extra)]
    result = solve(problem(sessions, rooms=rooms, morning=slots, afternoon=0), FAST)
    assert result.status is Status.INFEASIBLE
    assert any("session-slots" in reason for reason in result.explanation)


def test_command_line_solve_check_and_malformed_files(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = problem([session("a"), session("b", track="swift")], rooms=1)
    problem_file = tmp_path / "problem.json"
    problem_file.write_text(json.dumps({**problem_to_json(p), "unknown_key": 1}))
    out = tmp_path / "result.json"
    assert (
        main(["solve", str(problem_file), "--time-limit", "2", "--seed", "3", "--out", str(out)])
        == 0
    )
    assert json.loads(out.read_text())["status"] in ("optimal", "feasible")
    capsys.readouterr()
    assert main(["check", str(problem_file), str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is True
    assert report["goals"]["track_extra_rooms"] == 0
    broken = json.loads(out.read_text())
    broken["assignments"][1] = {**broken["assignments"][0], "session": "b"}
    out.write_text(json.dumps(broken))
    assert main(["check", str(problem_file), str(out)]) == 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**problem_to_json(p), "rooms": [{"id": "r0", "capacity": "x"}]}))
    assert main(["solve", str(bad)]) == 2
    assert "rooms[0].capacity: expected int, got str" in capsys.readouterr().err
    bad.write_text("{not json")
    assert main(["check", str(bad), str(out)]) == 2
    assert result_to_json(solve(p, FAST))["explanation"] == []


def _fourteen() -> Problem:
    sessions = [
        session(
            f"s{i}",
            track=f"t{i % 3}",
            lead=f"l{i % 4}",
            interested=tuple(f"p{j}" for j in range(i % 5, 9, 2)),
        )
        for i in range(14)
    ]
    return problem(sessions, rooms=3, n_days=2)


def test_s4_the_schedule_does_not_depend_on_the_process(tmp_path: Path) -> None:
    """Two processes with different string hashing give the same schedule (no set order)."""
    source = tmp_path / "problem.json"
    source.write_text(json.dumps(problem_to_json(_fourteen())))
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"result-{hash_seed}.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "scheduler",
                "solve",
                str(source),
                "--time-limit",
                "2",
                "--seed",
                "3",
                "--out",
                str(out),
            ],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
        )
        outputs.append(json.loads(out.read_text())["assignments"])
    assert outputs[0] == outputs[1]


def test_s5_a_stale_or_partial_draft_still_gives_a_valid_schedule() -> None:
    """The app hints the draft; a session accepted since, or a room closed since, must not
    break the solve."""
    p = _fourteen()
    first = solve(p, SolveOptions(time_limit=1, seed=1))
    assert first.assignments
    partial = first.assignments[1:]  # one session was accepted after this draft
    result = solve(p, SolveOptions(time_limit=1, seed=1), hint=partial)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert check(p, result.assignments) == []
    clash = first.assignments[0]
    stale = (replace(first.assignments[1], room=clash.room, day=clash.day, slot=clash.slot),)
    broken = stale + first.assignments[:1] + first.assignments[2:]  # two in one room now
    result = solve(p, SolveOptions(time_limit=1, seed=1), hint=broken)
    assert check(p, result.assignments) == []


def test_s3_without_a_greedy_start_the_search_still_gets_its_time(monkeypatch) -> None:
    """When no quick schedule exists to improve on, CP-SAT searches with the time left
    instead of giving up (also on models too big for CP-SAT to polish)."""
    import scheduler.solver as solver_module

    monkeypatch.setattr(solver_module, "greedy", lambda *args, **kwargs: None)
    monkeypatch.setattr(solver_module, "MAX_CP_PAIRS", -1)
    result = solve(_fourteen(), SolveOptions(time_limit=3, seed=1))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert check(_fourteen(), result.assignments) == []
