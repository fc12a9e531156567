"""Properties of a day's slot grid and its lightning window (S1 blocks, L1), for any settings."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from summit.models import Day, Event, EventKind, Summit


def make_day(**grid: int) -> Day:
    summit = Summit(name="Test", slug="t", timezone="America/Los_Angeles")
    event = Event(
        summit=summit,
        kind=EventKind.DESIGN_SUMMIT,
        starts_on=date(2011, 4, 27),
        ends_on=date(2011, 4, 29),
        capacity=10,
        open_seats=5,
    )
    return Day(event=event, date=date(2011, 4, 27), first_slot=time(8, 0), **grid)


grids = st.fixed_dictionaries(
    {
        "slot_minutes": st.integers(5, 90),
        "break_minutes": st.integers(0, 30),
        "slots_before_lunch": st.integers(0, 6),
        "lunch_minutes": st.integers(0, 90),
        "lightning_minutes": st.integers(0, 60),
        "lightning_slot_minutes": st.integers(1, 15),
        "slots_after_lunch": st.integers(0, 6),
    }
)


@given(grids)
def test_l1_slots_are_ordered_never_overlap_and_lunch_splits_the_blocks(grid: dict) -> None:
    day = make_day(**grid)
    slots = day.slots
    assert len(slots) == grid["slots_before_lunch"] + grid["slots_after_lunch"]
    assert [s.index for s in slots] == list(range(len(slots)))
    for earlier, later in itertools.pairwise(slots):
        assert earlier.ends_at <= later.starts_at
    for slot in slots:
        assert slot.ends_at - slot.starts_at == timedelta(minutes=grid["slot_minutes"])
        if slot.block == "morning":
            assert slot.ends_at <= day.lunch_starts_at
        else:
            # Afternoon sessions start after lunch and after the lightning talks.
            assert slot.starts_at >= day.lightning_starts_at + timedelta(
                minutes=grid["lightning_minutes"]
            )
    blocks = [s.block for s in slots]
    assert blocks == sorted(blocks, key=["morning", "afternoon"].index)


@given(grids)
def test_l1_lightning_window_holds_whole_slots_only(grid: dict) -> None:
    day = make_day(**grid)
    count = day.lightning_slot_count
    assert count * grid["lightning_slot_minutes"] <= grid["lightning_minutes"]
    assert (count + 1) * grid["lightning_slot_minutes"] > grid["lightning_minutes"]
    assert day.lightning_starts_at == day.lunch_starts_at + timedelta(minutes=grid["lunch_minutes"])
