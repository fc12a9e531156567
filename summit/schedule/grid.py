"""A Design Summit day as a table: rooms across, slots down, lunch and lightning talks between
the morning and the afternoon. Pure presentation over the programme read model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from summit.models import Day, Room
from summit.services.programme import Entry, EntryKind, Programme


@dataclass(frozen=True, slots=True)
class Cell:
    entry: Entry | None  # None: a free cell
    rowspan: int = 1


@dataclass
class Row:
    kind: str  # "slot", "lunch" or "lightning"
    starts_at: datetime
    ends_at: datetime
    # One item per visible room; None where a longer session above covers the cell.
    cells: list[Cell | None] = field(default_factory=list)
    talks: list[Entry] = field(default_factory=list)  # the lightning row's talks


@dataclass
class DayGrid:
    day: Day
    rooms: list[Room]
    rows: list[Row]


def day_grid(
    programme: Programme, day: Day, rooms: list[Room], visible: Callable[[Entry], bool]
) -> DayGrid:
    at: dict[tuple[int, int], Entry] = {}
    for e in programme.entries:
        if e.kind is EntryKind.SESSION and e.day is day and e.room is not None and visible(e):
            at[(e.room.id, e.start_slot or 0)] = e
    covered: set[tuple[int, int]] = set()
    rows: list[Row] = []
    slots = day.slots
    for slot in slots:
        if slot.index == day.slots_before_lunch and slot.index > 0:
            rows += _midday(programme, day)
        row = Row("slot", slot.starts_at, slot.ends_at)
        for room in rooms:
            if (room.id, slot.index) in covered:
                row.cells.append(None)
                continue
            entry = at.get((room.id, slot.index))
            span = min(entry.length_slots, len(slots) - slot.index) if entry else 1
            # A two-slot session never crosses lunch (S1), but be safe with odd data.
            if entry and span > 1 and slots[slot.index + 1].block != slot.block:
                span = 1
            for extra in range(1, span):
                covered.add((room.id, slot.index + extra))
            row.cells.append(Cell(entry, span))
        rows.append(row)
    return DayGrid(day, rooms, rows)


def _midday(programme: Programme, day: Day) -> list[Row]:
    lunch = Row("lunch", day.lunch_starts_at, day.lightning_starts_at)
    talks = [e for e in programme.of_kind(EntryKind.LIGHTNING) if e.day is day]
    lightning = Row("lightning", day.lightning_starts_at, day.afternoon_starts_at, talks=talks)
    rows = [lunch] if day.lunch_minutes else []
    return rows + ([lightning] if day.lightning_minutes else [])
