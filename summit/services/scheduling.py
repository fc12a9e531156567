"""The only adapter between the database and the scheduler library, in both directions (S5).

Draft placement lives in design_session.day_id/start_slot/room_id; the public sees the
published_* copy (P1). Ids in the problem are the rows' ids as strings.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from scheduler import Placement, Problem, Result, check, score
from scheduler import types as sched
from scheduler.validate import Violation, conflict_weights, overlaps
from summit.extensions import db
from summit.models import (
    Day,
    DesignSession,
    Interest,
    SessionStatus,
    Summit,
    User,
    WindowPart,
    utcnow,
)
from summit.services import audit, availability
from summit.services.errors import Conflict, Invalid, NotFound
from summit.services.outbox import queue_mails

WEIGHTS = sched.Weights(
    attendee_conflict=1, track_parallel_pair=10, track_extra_room=20, moved_session=50
)


@dataclass(frozen=True)
class Context:
    """A summit's scheduling data, loaded once."""

    summit: Summit
    days: list[Day]
    sessions: list[DesignSession]
    stars: dict[int, set[int]]  # session id → ids of the people who starred it

    def day_index(self, day_id: int | None) -> int | None:
        return next((i for i, d in enumerate(self.days) if d.id == day_id), None)


def load(summit_id: int) -> Context:
    summit = db.session.get(Summit, summit_id)
    if summit is None:
        raise NotFound("No such summit.")
    sessions = list(
        db.session.scalars(
            select(DesignSession)
            .where(
                DesignSession.summit_id == summit_id, DesignSession.status == SessionStatus.ACTIVE
            )
            .order_by(DesignSession.id)
        )
    )
    stars: defaultdict[int, set[int]] = defaultdict(set)
    for session_id, user_id in db.session.execute(
        select(Interest.session_id, Interest.user_id)
        .join(DesignSession)
        .where(DesignSession.summit_id == summit_id)
    ):
        stars[session_id].add(user_id)
    return Context(summit, summit.design_days, sessions, dict(stars))


def _slot_sets(ctx: Context, day: Day, part: str | None) -> sched.SlotSet:
    slots = day.slots
    if part == WindowPart.MORNING:
        chosen = [s.index for s in slots if s.block == WindowPart.MORNING]
    elif part == WindowPart.AFTERNOON:
        chosen = [s.index for s in slots if s.block == WindowPart.AFTERNOON]
    else:
        chosen = [s.index for s in slots]
    return sched.SlotSet(ctx.day_index(day.id) or 0, tuple(chosen))


def expected(session: DesignSession, stars: int) -> int:
    return session.expected_attendance if session.expected_attendance is not None else stars


def to_problem(ctx: Context, *, with_previous: bool = False) -> Problem:
    summit = ctx.summit
    days = tuple(
        sched.Day(
            i,
            f"{d.date:%A}",
            tuple(
                sched.Slot(s.index, f"{s.starts_at:%H:%M}", f"{s.ends_at:%H:%M}", s.block)
                for s in d.slots
            ),
        )
        for i, d in enumerate(ctx.days)
    )
    rooms = tuple(sched.Room(str(r.id), r.name, r.capacity) for r in summit.rooms)
    tracks = tuple(sched.Track(str(t.id), t.name) for t in summit.tracks)
    leads: dict[str, str] = {}
    sessions = []
    for s in ctx.sessions:
        lead = f"u{s.lead_id}" if s.lead_id else f"nobody-{s.id}"
        leads[lead] = s.lead.name if s.lead else "(no lead)"
        windows = None
        if s.track.window_day is not None and ctx.day_index(s.track.window_day_id) is not None:
            windows = (_slot_sets(ctx, s.track.window_day, s.track.window_part),)
        fans = ctx.stars.get(s.id, set())
        sessions.append(
            sched.Session(
                str(s.id),
                s.title,
                str(s.track_id),
                lead,
                s.length_slots,
                expected(s, len(fans)),
                tuple(f"u{u}" for u in sorted(fans)),
                windows,
            )
        )
    locked = tuple(_placement(ctx, s) for s in ctx.sessions if s.locked and _placed(s))
    previous = tuple(
        _previous(ctx, s) for s in ctx.sessions if with_previous and (_published(s) or _placed(s))
    )
    away = availability.away_by_lead(summit)
    people = tuple(
        sched.Person(pid, name, _away_slots(ctx, away.get(_user_id(pid), set())))
        for pid, name in sorted(leads.items())
    )
    return Problem(
        name=summit.slug,
        days=days,
        rooms=rooms,
        tracks=tracks,
        people=people,
        sessions=tuple(sessions),
        weights=WEIGHTS,
        locked=locked,
        previous=previous,
        slot_minutes=ctx.days[0].slot_minutes if ctx.days else 0,
    )


def _user_id(person_id: str) -> int:
    return int(person_id[1:]) if person_id.startswith("u") else 0


def _away_slots(ctx: Context, marks: set[tuple[int, str]]) -> tuple[sched.SlotSet, ...]:
    """A lead's marked mornings and afternoons as the solver's unavailable slots."""
    out = []
    for day in ctx.days:
        index = ctx.day_index(day.id)
        slots = tuple(s.index for s in day.slots if (day.id, s.block) in marks)
        if index is not None and slots:
            out.append(sched.SlotSet(index, slots))
    return tuple(out)


def _published(s: DesignSession) -> bool:
    return s.published_day_id is not None and s.published_room_id is not None


def _previous(ctx: Context, s: DesignSession) -> Placement:
    """Where a re-solve should leave a session: its published place, else its draft one."""
    if _published(s):
        return Placement(
            str(s.id),
            str(s.published_room_id),
            ctx.day_index(s.published_day_id) or 0,
            s.published_start_slot or 0,
        )
    return _placement(ctx, s)


def _placed(s: DesignSession) -> bool:
    return s.day_id is not None and s.start_slot is not None and s.room_id is not None


def _placement(ctx: Context, s: DesignSession) -> Placement:
    return Placement(str(s.id), str(s.room_id), ctx.day_index(s.day_id) or 0, s.start_slot or 0)


def draft(ctx: Context) -> tuple[Placement, ...]:
    return tuple(_placement(ctx, s) for s in ctx.sessions if _placed(s))


def apply(ctx: Context, assignments: tuple[Placement, ...]) -> None:
    """Write a solver result as the new draft."""
    by_id = {str(s.id): s for s in ctx.sessions}
    for p in assignments:
        session = by_id[p.session]
        session.day_id = ctx.days[p.day].id
        session.start_slot, session.room_id = p.slot, int(p.room)


# --- organizer actions ------------------------------------------------------------------


def _session(ctx: Context, session_id: int) -> DesignSession:
    session = next((s for s in ctx.sessions if s.id == session_id), None)
    if session is None:
        raise NotFound("No such session in this summit.")
    return session


def set_lock(actor_id: int, summit_id: int, session_id: int, locked: bool) -> DesignSession:
    ctx = load(summit_id)
    session = _session(ctx, session_id)
    if locked and not _placed(session):
        raise Conflict("Place the session before locking it.")
    session.locked = locked
    audit.record(
        actor_id,
        "schedule.lock" if locked else "schedule.unlock",
        f"session:{session.id} {session.title}",
    )
    return session


def move(
    actor_id: int, summit_id: int, session_id: int, *, day_id: int, slot: int, room_id: int
) -> DesignSession:
    """Move a session by hand; a move that breaks a hard rule is refused with the reason."""
    ctx = load(summit_id)
    session = _session(ctx, session_id)
    day_index = ctx.day_index(day_id)
    if day_index is None:
        raise Invalid("Pick one of the Design Summit days.", field="day_id")
    if not any(r.id == room_id for r in ctx.summit.rooms):
        raise Invalid("Pick one of this summit's rooms.", field="room_id")
    if session.locked:
        raise Conflict(f"“{session.title}” is locked: unlock it before moving it.")
    problem = to_problem(ctx)
    moved = Placement(str(session.id), str(room_id), day_index, slot)
    current = draft(ctx)
    after = (*(p for p in current if p.session != moved.session), moved)
    # The rules this move breaks: those broken after it that were not broken before.
    before = set(check(problem, current))
    caused = [v for v in check(problem, after) if v not in before]
    if caused:
        raise Conflict("That move breaks a rule: " + " ".join(in_words(ctx, v) for v in caused))
    session.day_id, session.start_slot, session.room_id = day_id, slot, room_id
    audit.record(
        actor_id,
        "schedule.move",
        f"session:{session.id} {session.title}",
        f"day {day_index + 1}, slot {slot + 1}, room {room_id}",
    )
    return session


def in_words(ctx: Context, v: Violation) -> str:
    """One broken rule in an organizer's words: titles, room names, weekday and date,
    wall-clock times and lead names; never ids or slot indices."""
    by_id = {str(s.id): s for s in ctx.sessions}
    titles = [f"“{by_id[sid].title}”" if sid in by_id else "a session" for sid in v.sessions]
    first = by_id.get(v.sessions[0]) if v.sessions else None
    title = titles[0] if titles else "A session"
    room = next((r.name for r in ctx.summit.rooms if str(r.id) == v.room), "that room")
    lead = first.lead.name if first is not None and first.lead is not None else "Its lead"
    at = _at(ctx, v.day, v.slot)
    day = _day_words(ctx, v.day)
    match v.kind:
        case "room_taken":
            return f"{titles[0]} and {titles[1]} would both be in {room} {at}."
        case "lead_busy":
            return f"{lead} leads both {titles[0]} and {titles[1]}, which would overlap {at}."
        case "lead_unavailable":
            return f"{lead}, who leads {title}, can't attend {at}."
        case "crosses_block":
            return f"{title} would run across the lunch break on {day}."
        case "outside_day":
            return f"{title} would run past the end of {day}."
        case "capacity":
            size = expected(first, len(ctx.stars.get(first.id, ()))) if first else 0
            holds = next((r.capacity for r in ctx.summit.rooms if str(r.id) == v.room), 0)
            return f"{title} expects {size} people, but {room} holds {holds}."
        case "window":
            return f"{title} must stay within its track's time ({_window_words(first)})."
        case "room_closed":
            return f"{room} is closed {at}."
        case "lock":
            return f"{title} is locked in {room} {at}: unlock it first."
        case "not_placed":
            return f"{title} has no place yet."
        case _:
            return f"{title} has a place that does not exist (in this summit's rooms and days)."


def _day_words(ctx: Context, day: int | None) -> str:
    if day is None or not 0 <= day < len(ctx.days):
        return "that day"
    return f"{ctx.days[day].date:%A %d %B}"


def _at(ctx: Context, day: int | None, slot: int | None) -> str:
    """'on Wednesday 27 April at 09:50', in the summit's wall-clock time."""
    if day is None or not 0 <= day < len(ctx.days):
        return "then"
    slots = ctx.days[day].slots
    if slot is None or not 0 <= slot < len(slots):
        return f"on {_day_words(ctx, day)}"
    return f"on {slots[slot].starts_at:%A %d %B at %H:%M}"


def _window_words(session: DesignSession | None) -> str:
    track = session.track if session is not None else None
    if track is None or track.window_day is None:
        return "its window"
    part = track.window_part
    when = f" {part}" if part in (WindowPart.MORNING, WindowPart.AFTERNOON) else ""
    return f"{track.window_day.date:%A %d %B}{when}"


def record_result(actor_id: int | None, summit_id: int, result: Result) -> None:
    ctx = load(summit_id)
    apply(ctx, result.assignments)
    audit.record(
        actor_id,
        "schedule.solve",
        f"summit:{ctx.summit.slug}",
        f"{result.status.value}, objective {result.objective}",
    )


def gap_in_words(result: Result) -> str:
    """How far the schedule can be from the best possible one, from the solver's bound."""
    objective, bound = result.objective, result.bound
    if objective is None or bound is None:
        return ""
    if objective <= bound:
        return "It is the best possible schedule."
    if bound <= 0:
        return "No bound was found on how good the best possible schedule can be."
    above = math.ceil((objective / bound - 1) * 100)
    return f"It is at most {above} % above the best possible schedule."


def stop_in_words(result: Result) -> str:
    """What stopped the search (S4), for the organizer."""
    if result.stopped_by is sched.Stop.CLOCK:
        return (
            "The time limit stopped the search: a longer limit may find a better schedule, "
            "and a rerun may differ."
        )
    if result.stopped_by is sched.Stop.WORK:
        return (
            "The search did all its planned work within the time limit: a rerun gives the "
            "same schedule."
        )
    return "The search ended on its own."


@dataclass(frozen=True)
class Clash:
    a: DesignSession
    b: DesignSession
    people: int
    same_track: bool


def clashes(ctx: Context, problem: Problem, limit: int = 30) -> list[Clash]:
    """Same-track pairs in parallel, and the heaviest attendee clashes, in the draft."""
    by_id = {str(s.id): s for s in ctx.sessions}
    placed = {p.session: p for p in draft(ctx)}
    weights = conflict_weights(problem)
    pairs: set[tuple[str, str]] = set(weights)
    ids = sorted(placed)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if by_id[a].track_id == by_id[b].track_id:
                pairs.add((a, b) if a < b else (b, a))
    found = []
    for a, b in pairs:
        if (
            a in placed
            and b in placed
            and overlaps(placed[a], by_id[a].length_slots, placed[b], by_id[b].length_slots)
        ):
            found.append(
                Clash(
                    by_id[a],
                    by_id[b],
                    weights.get((a, b), 0),
                    by_id[a].track_id == by_id[b].track_id,
                )
            )
    found.sort(key=lambda c: (not c.same_track, -c.people))
    same = [c for c in found if c.same_track]
    heavy = [c for c in found if not c.same_track and c.people > 0][:limit]
    return same + heavy


def broken(ctx: Context, problem: Problem) -> dict[int, list[str]]:
    """The hard rules the draft breaks now (a lead who marked a time away since the last
    solve, say), in words, by session id: the draft grid marks them."""
    out: dict[int, list[str]] = {}
    for v in check(problem, draft(ctx)):
        if v.kind == "not_placed":
            continue
        for sid in v.sessions:
            if sid.isdigit():
                out.setdefault(int(sid), []).append(in_words(ctx, v))
    return out


def goals(ctx: Context, problem: Problem) -> sched.Goals | None:
    """The draft's goals; `problem` should carry the published placement as `previous`."""
    placements = draft(ctx)
    if len(placements) != len(ctx.sessions) or not ctx.sessions:
        return None
    return score(problem, placements)


def publish(actor_id: int | None, summit_id: int) -> int:
    """P1: the draft becomes public. A published session whose time, room or title changes
    gets SEQUENCE + 1 and a mail to its lead and to the people who starred it. Returns the
    number of sessions that changed."""
    ctx = load(summit_id)
    problem = to_problem(ctx)
    placements = draft(ctx)
    if len(placements) != len(ctx.sessions):
        raise Conflict("Some sessions have no place yet: solve or place them before publishing.")
    errors = check(problem, placements)
    if errors:
        raise Conflict("The draft breaks rules: " + " ".join(in_words(ctx, v) for v in errors[:3]))
    changed = 0
    for s in ctx.sessions:
        # Time and place first: a change there is a move; the rest (title, track) a rename.
        before = (
            s.published_day_id,
            s.published_start_slot,
            s.published_length_slots,
            s.published_room_id,
            s.published_title,
            s.published_track_id,
        )
        after = (s.day_id, s.start_slot, s.length_slots, s.room_id, s.title, s.track_id)
        if before == after:
            continue
        was_public = s.published_day_id is not None
        s.published_day_id, s.published_start_slot = s.day_id, s.start_slot
        s.published_length_slots, s.published_room_id = s.length_slots, s.room_id
        s.published_title, s.published_track_id = s.title, s.track_id
        s.changed_at = utcnow()
        if was_public:
            s.sequence += 1
            changed += 1
            _notify(ctx, s, moved=before[:4] != after[:4])
    ctx.summit.published_at = utcnow()
    audit.record(
        actor_id,
        "schedule.publish",
        f"summit:{ctx.summit.slug}",
        f"{changed} published sessions changed",
    )
    return changed


def when(ctx: Context, s: DesignSession) -> str:
    day = next(d for d in ctx.days if d.id == s.day_id)
    slot = day.slots[s.start_slot or 0]
    room = next(r for r in ctx.summit.rooms if r.id == s.room_id)
    return f"{slot.starts_at:%A %d %B, %H:%M} ({ctx.summit.timezone}), {room.name}"


def _notify(ctx: Context, s: DesignSession, *, moved: bool) -> None:
    what = "moved" if moved else "renamed"
    tell_people(ctx.summit, s, what, f"It is now on {when(ctx, s)}.")


def tell_people(summit: Summit, s: DesignSession, what: str, detail: str) -> None:
    """A mail to the session's lead and everyone who starred it, through the outbox."""
    people = set(db.session.scalars(select(Interest.user_id).where(Interest.session_id == s.id)))
    if s.lead_id:
        people.add(s.lead_id)
    link = f"{current_app.config['BASE_URL']}/{summit.slug}/sessions/{s.id}"
    queue_mails(
        [
            (
                user.email,
                f"[{summit.name}] Session {what}: {s.title}",
                f"Hello {user.name},\n\nThe session “{s.title}” has {what}. {detail}\n\n{link}\n",
            )
            for user in db.session.scalars(select(User).where(User.id.in_(people)))
        ]
    )


def set_cancelled(actor_id: int, summit_id: int, session_id: int, cancelled: bool) -> DesignSession:
    """Cancel a session, or bring it back. A published one stays in the calendars as
    cancelled with its SEQUENCE raised (E1), and its lead and stargazers hear of it (P1)."""
    session = db.session.get(DesignSession, session_id)
    if session is None or session.summit_id != summit_id:
        raise NotFound("No such session.")
    status = SessionStatus.CANCELLED if cancelled else SessionStatus.ACTIVE
    if session.status == status:
        return session
    was_public = session.published_day_id is not None
    session.status = status
    session.locked = False
    if cancelled:
        # Its place is free for the next solve; the published copy keeps the old time, so
        # the calendars show the cancellation where the session was.
        session.day_id = session.start_slot = session.room_id = None
    elif was_public:
        # Back in the draft only: it is public again once it has a place and is published
        # (its old place may be someone else's by now).
        session.published_day_id = session.published_start_slot = None
        session.published_room_id = None
    if was_public:
        session.sequence += 1
        session.changed_at = utcnow()
        if cancelled:
            tell_people(session.summit, session, "been cancelled", "")
    audit.record(
        actor_id,
        "session.cancel" if cancelled else "session.restore",
        f"session:{session.id} {session.title}",
    )
    return session
