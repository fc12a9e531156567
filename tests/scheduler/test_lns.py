"""Large neighbourhood search: CP-SAT re-places a freed neighbourhood around the rest."""

from __future__ import annotations

from dataclasses import replace

from scheduler import check, score
from scheduler.greedy import greedy
from scheduler.lns import KINDS, lns
from tests.scheduler.helpers import medium


def _run(p, start, steps: int = 8, seed: int = 1):  # type: ignore[no-untyped-def]
    return lns(
        p,
        start,
        steps=steps,
        seed=seed,
        step_deterministic=0.05,
        stop=lambda: False,
        time_left=lambda: 60.0,
    )


def test_repairs_keep_every_rule_never_worsen_and_improve_a_greedy_start() -> None:
    p = medium(seed=2)
    start = greedy(p, seed=1)
    assert start is not None
    before = score(p, start).weighted(p.weights)
    after = _run(p, start, steps=2 * len(KINDS))
    assert check(p, after) == []
    assert score(p, after).weighted(p.weights) < before


def test_locked_sessions_stay_and_the_same_seed_gives_the_same_steps() -> None:
    p = medium(seed=3)
    start = greedy(p, seed=1)
    assert start is not None
    p = replace(p, locked=start[:10])
    after = _run(p, start)
    assert check(p, after) == []
    assert after[:10] == start[:10]
    assert _run(p, start) == after


def test_the_clock_ends_the_search_at_once() -> None:
    p = medium(seed=3)
    start = greedy(p, seed=1)
    assert start is not None
    stopped = lns(
        p, start, steps=50, seed=1, step_deterministic=0.05, stop=lambda: True, time_left=lambda: 0
    )
    assert stopped == start
