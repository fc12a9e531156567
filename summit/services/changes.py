"""What changed between two schedule releases (P4): one pure function, `diff`.

No database and no clock: a snapshot is a mapping from session id to `Facts`. The same
changes drive the P1 mails, the calendars' SEQUENCE and the public changelog; nothing
else compares a published session with its draft.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

SCHEDULED = "scheduled"
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Facts:
    """Every public fact of one session. `sequence` is the release's; a draft's is 0."""

    session_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    day_id: int | None = None
    start_slot: int = 0
    length_slots: int = 1
    track_id: int | None = None
    lead_id: int | None = None
    lead_name: str = ""
    description: str = ""
    blueprints: tuple[tuple[int, str], ...] = ()
    status: str = SCHEDULED
    sequence: int = 0

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    def place(self) -> tuple[datetime, datetime, int | None]:
        return (self.starts_at, self.ends_at, self.room_id)

    def public(self) -> Facts:
        """The facts without the sequence, for comparing."""
        return replace(self, sequence=0)


class ChangeKind(StrEnum):
    NEW = "new"
    MOVED = "moved"
    RETITLED = "retitled"
    LEAD_CHANGED = "lead_changed"
    CANCELLED = "cancelled"
    RESTORED = "restored"
    DETAILS = "details"  # description, track, blueprints: public, but no mail and no SEQUENCE


# The order the review page and the changelog show the groups in.
KINDS = tuple(ChangeKind)


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    session_id: int
    before: Facts | None  # None for a new session
    after: Facts


def diff(last: Mapping[int, Facts] | None, draft: Mapping[int, Facts]) -> list[Change]:
    """The changes from release `last` (None before the first) to `draft`.

    `draft` holds every session the next release would show: placed sessions, and the
    published ones cancelled since (status cancelled). A session of `last` missing from
    `draft` is cancelled where it was. Each session appears at most once per kind; an
    unchanged one never appears. In session id order, then `KINDS` order.
    """
    last = last or {}
    out: list[Change] = []
    for sid in sorted(set(last) | set(draft)):
        before, after = last.get(sid), draft.get(sid)
        if after is None:
            if before is None or before.cancelled:
                continue
            after = replace(before, status=CANCELLED)
        if before is None:
            if not after.cancelled:
                out.append(Change(ChangeKind.NEW, sid, None, after))
            continue
        out.extend(Change(kind, sid, before, after) for kind in _kinds(before, after))
    return out


def _kinds(before: Facts, after: Facts) -> list[ChangeKind]:
    kinds: list[ChangeKind] = []
    if before.cancelled != after.cancelled:
        kinds.append(ChangeKind.CANCELLED if after.cancelled else ChangeKind.RESTORED)
    elif before.place() != after.place():
        kinds.append(ChangeKind.MOVED)
    if before.title != after.title:
        kinds.append(ChangeKind.RETITLED)
    if (before.lead_id, before.lead_name) != (after.lead_id, after.lead_name):
        kinds.append(ChangeKind.LEAD_CHANGED)
    if not kinds and before.public() != after.public():
        kinds.append(ChangeKind.DETAILS)
    kinds.sort(key=KINDS.index)
    return kinds


def sequence(before: Facts | None, after: Facts) -> int:
    """iCalendar SEQUENCE of `after`: one more than before's exactly when its time, room,
    title or status changed (E1)."""
    if before is None:
        return 0
    bumped = (
        before.place() != after.place()
        or before.title != after.title
        or before.status != after.status
    )
    return before.sequence + 1 if bumped else before.sequence


def next_release(last: Mapping[int, Facts] | None, draft: Mapping[int, Facts]) -> dict[int, Facts]:
    """The snapshot the next release holds, with each session's SEQUENCE: the draft, plus
    every session of `last` missing from it, cancelled where it was."""
    last = last or {}
    out: dict[int, Facts] = {}
    for sid in sorted(set(last) | set(draft)):
        before, after = last.get(sid), draft.get(sid)
        if after is None:
            if before is None:
                continue
            after = replace(before, status=CANCELLED)
        if before is None and after.cancelled:
            continue  # cancelled before it was ever public
        out[sid] = replace(after, sequence=sequence(before, after))
    return out
