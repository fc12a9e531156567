"""The annealing step: valid, never worse than where it started, locks kept, repeatable."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import check, score
from scheduler.anneal import anneal
from scheduler.greedy import greedy
from scheduler.types import Placement
from tests.scheduler.helpers import problem, session


def _problem(seed: int):  # type: ignore[no-untyped-def]
    sessions = [
        session(
            f"s{i}",
            track=f"t{(i * 7 + seed) % 3}",
            lead=f"l{(i + seed) % 5}",
            duration=2 if i % 6 == 0 else 1,
            interested=tuple(f"p{j}" for j in range(i % 4, 12, 3)),
        )
        for i in range(14)
    ]
    return problem(sessions, rooms=3, n_days=2)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 50))
def test_anneal_keeps_every_rule_and_never_makes_things_worse(seed: int) -> None:
    p = _problem(seed)
    start = greedy(p, seed=seed)
    assert start is not None
    result = anneal(p, start, seed=seed, moves=3000)
    assert check(p, result) == []
    assert score(p, result).weighted(p.weights) <= score(p, start).weighted(p.weights)


def test_anneal_keeps_locks_and_is_repeatable() -> None:
    base = _problem(3)
    start = greedy(base, seed=0)
    assert start is not None
    lock = start[0]
    p = problem(list(base.sessions), rooms=3, n_days=2, locked=(lock,))
    first = anneal(p, start, seed=5, moves=5000)
    assert lock in first
    assert anneal(p, start, seed=5, moves=5000) == first
    assert isinstance(first[0], Placement)
