"""The only adapter between the database and the scheduler library, in both directions (S5).

Draft placement lives in design_session.day_id/start_slot/room_id; the public sees the
latest schedule release (P4). Ids in the problem are the rows' ids as strings.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from scheduler import Placement, Problem, Result, check, score
from scheduler import types as sched
from scheduler.validate import Violation, conflict_weights, overlaps
from summit import notifications
from summit.extensions import db
from summit.i18n import format_day
from summit.models import (
    Day,
    DesignSession,
    Interest,
    PublishedSession,
    PublishedStatus,
    SessionStatus,
    Summit,
    User,
    WindowPart,
)
from summit.notifications import Place
from summit.services import audit, availability, releases
from summit.services.changes import Change, ChangeKind, Facts, diff
from summit.services.errors import Conflict, Invalid, NotFound

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
        raise NotFound(_("No such summit."))
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
    # A pinned session (moved by hand) is a lock for the solver until it is unpinned.
    locked = tuple(
        _placement(ctx, s) for s in ctx.sessions if (s.locked or s.pinned) and _placed(s)
    )
    published = _published_places(ctx) if with_previous else {}
    previous = tuple(
        _previous(ctx, s, published)
        for s in ctx.sessions
        if with_previous and (s.id in published or _placed(s))
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


def _published_places(ctx: Context) -> dict[int, PublishedSession]:
    """The latest release's copy of each session still scheduled there."""
    release = releases.latest(ctx.summit.id)
    return {
        r.session_id: r
        for r in releases.rows(release)
        if r.status == PublishedStatus.SCHEDULED and r.day_id is not None and r.room_id
    }


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


def _previous(ctx: Context, s: DesignSession, published: dict[int, PublishedSession]) -> Placement:
    """Where a re-solve should leave a session: its published place, else its draft one."""
    p = published.get(s.id)
    if p is not None and ctx.day_index(p.day_id) is not None:
        return Placement(str(s.id), str(p.room_id), ctx.day_index(p.day_id) or 0, p.start_slot)
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
        raise NotFound(_("No such session in this summit."))
    return session


def set_lock(actor_id: int, summit_id: int, session_id: int, locked: bool) -> DesignSession:
    return _set_flag(actor_id, summit_id, session_id, "locked", locked, "lock")


def set_pin(actor_id: int, summit_id: int, session_id: int, pinned: bool) -> DesignSession:
    """Pin a session where it is (a re-solve keeps it), or let the solver move it again."""
    return _set_flag(actor_id, summit_id, session_id, "pinned", pinned, "pin")


def _set_flag(
    actor_id: int,
    summit_id: int,
    session_id: int,
    flag: Literal["locked", "pinned"],
    on: bool,
    verb: Literal["lock", "pin"],
) -> DesignSession:
    """Lock or pin a placed session (the solver keeps it), or free it again; audited."""
    session = _session(load(summit_id), session_id)
    if on and not _placed(session):
        if verb == "lock":
            raise Conflict(_("Place the session before locking it."))
        raise Conflict(_("Place the session before pinning it."))
    setattr(session, flag, on)
    action = f"schedule.{verb}" if on else f"schedule.un{verb}"
    audit.record(actor_id, action, f"session:{session.id} {session.title}")
    return session


def move(
    actor_id: int, summit_id: int, session_id: int, *, day_id: int, slot: int, room_id: int
) -> DesignSession:
    """Move a session by hand; a move that breaks a hard rule is refused with the reason."""
    ctx = load(summit_id)
    session = _session(ctx, session_id)
    day_index = ctx.day_index(day_id)
    if day_index is None:
        raise Invalid(_("Pick one of the Design Summit days."), field="day_id")
    if not any(r.id == room_id for r in ctx.summit.rooms):
        raise Invalid(_("Pick one of this summit's rooms."), field="room_id")
    if session.locked:
        raise Conflict(_("“%(title)s” is locked: unlock it before moving it.", title=session.title))
    problem = to_problem(ctx)
    moved = Placement(str(session.id), str(room_id), day_index, slot)
    current = draft(ctx)
    after = (*(p for p in current if p.session != moved.session), moved)
    # The rules this move breaks: those broken after it that were not broken before.
    before = set(check(problem, current))
    caused = [v for v in check(problem, after) if v not in before]
    if caused:
        rules = " ".join(in_words(ctx, v) for v in caused)
        raise Conflict(_("That move breaks a rule: %(rules)s", rules=rules))
    session.day_id, session.start_slot, session.room_id = day_id, slot, room_id
    session.pinned = True  # a re-solve keeps a hand move until it is unpinned
    audit.record(
        actor_id,
        "schedule.move",
        f"session:{session.id} {session.title}",
        f"day {day_index + 1}, slot {slot + 1}, room {room_id}",
    )
    return session


def reason_in_words(reason: str) -> str:
    """Why no schedule exists (scheduler/explain.py), in the reader's language; a reason
    that is only text (read back from JSON, say) stays as it was written."""
    kind, values = getattr(reason, "kind", None), getattr(reason, "values", {})
    words = {
        "too_long": _l(
            "“%(title)s” needs %(slots)s consecutive slots, but the longest block between "
            "breaks has %(longest)s."
        ),
        "too_big": _l(
            "“%(title)s” expects %(people)s people, but the largest room holds %(biggest)s."
        ),
        "no_start": _l(
            "“%(title)s” has no possible time: its window and its lead's availability leave "
            "no run of free slots long enough."
        ),
        "window_too_small": _l(
            "%(track)s needs %(need)s slots; its window, %(where)s, has %(room_slots)s "
            "(%(periods)s slots × %(rooms)s rooms)."
        ),
        "lead_window_too_small": _l(
            "%(lead)s leads %(slots)s slots of %(track)s sessions; its window, %(where)s, has "
            "only %(periods)s slots."
        ),
        "lead_overbooked": _l(
            "%(lead)s leads %(sessions)s sessions taking %(need)s slots, but can attend only "
            "%(can)s slots."
        ),
        "room_slots": _l(
            "The sessions need %(need)s session-slots, but the rooms offer only %(room_slots)s "
            "(%(rooms)s rooms × %(slots)s slots, less closures)."
        ),
        "locked_same_room": _l(
            "Locked sessions “%(first)s” and “%(second)s” are both in room %(room)s at the "
            "same time."
        ),
        "locked_same_lead": _l(
            "Locked sessions “%(first)s” and “%(second)s” have the same lead, %(lead)s, at the "
            "same time."
        ),
        "locked_too_small": _l(
            "“%(title)s” is locked in %(room)s, which holds %(capacity)s, but %(people)s "
            "people are expected."
        ),
        "locked_no_start": _l(
            "“%(title)s” is locked at a time it cannot take (across lunch, outside its "
            "window, or while its lead is away)."
        ),
    }
    template = words.get(kind) if isinstance(kind, str) else None
    return str(template) % values if template is not None else str(reason)


def in_words(ctx: Context, v: Violation) -> str:
    """One broken rule in an organizer's words: titles, room names, weekday and date,
    wall-clock times and lead names; never ids or slot indices."""
    return str(_rule_words(ctx, v))


def _rule_words(ctx: Context, v: Violation) -> object:
    by_id = {str(s.id): s for s in ctx.sessions}
    titles = [
        _("“%(title)s”", title=by_id[sid].title) if sid in by_id else _("a session")
        for sid in v.sessions
    ]
    first = by_id.get(v.sessions[0]) if v.sessions else None
    title = titles[0] if titles else _("A session")
    room = next((r.name for r in ctx.summit.rooms if str(r.id) == v.room), None) or _("that room")
    lead = first.lead.name if first is not None and first.lead is not None else _("Its lead")
    # "on Wednesday 27 April at 09:50", "on Wednesday 27 April" or "then": a whole phrase.
    when = _at(ctx, v.day, v.slot)
    day = _day_words(ctx, v.day)
    match v.kind:
        case "room_taken":
            return _(
                "%(first)s and %(second)s would both be in %(room)s %(when)s.",
                first=titles[0],
                second=titles[1],
                room=room,
                when=when,
            )
        case "lead_busy":
            return _(
                "%(lead)s leads both %(first)s and %(second)s, which would overlap %(when)s.",
                lead=lead,
                first=titles[0],
                second=titles[1],
                when=when,
            )
        case "lead_unavailable":
            return _(
                "%(lead)s, who leads %(title)s, can't attend %(when)s.",
                lead=lead,
                title=title,
                when=when,
            )
        case "crosses_block":
            return _("%(title)s would run across the lunch break on %(day)s.", title=title, day=day)
        case "outside_day":
            return _("%(title)s would run past the end of %(day)s.", title=title, day=day)
        case "capacity":
            size = expected(first, len(ctx.stars.get(first.id, ()))) if first else 0
            holds = next((r.capacity for r in ctx.summit.rooms if str(r.id) == v.room), 0)
            return ngettext(
                "%(title)s expects %(num)d person, but %(room)s holds %(holds)d.",
                "%(title)s expects %(num)d people, but %(room)s holds %(holds)d.",
                size,
                title=title,
                room=room,
                holds=holds,
            )
        case "window":
            return _(
                "%(title)s must stay within its track's time (%(window)s).",
                title=title,
                window=_window_words(first),
            )
        case "room_closed":
            return _("%(room)s is closed %(when)s.", room=room, when=when)
        case "lock":
            return _(
                "%(title)s is locked in %(room)s %(when)s: unlock it first.",
                title=title,
                room=room,
                when=when,
            )
        case "not_placed":
            return _("%(title)s has no place yet.", title=title)
        case _:
            return _(
                "%(title)s has a place that does not exist (in this summit's rooms and days).",
                title=title,
            )


def _day_words(ctx: Context, day: int | None) -> str:
    if day is None or not 0 <= day < len(ctx.days):
        return str(_("that day"))
    return format_day(ctx.days[day].date, "%A %d %B")


def _at(ctx: Context, day: int | None, slot: int | None) -> str:
    """'on Wednesday 27 April at 09:50', in the summit's wall-clock time."""
    if day is None or not 0 <= day < len(ctx.days):
        return str(_("then"))
    slots = ctx.days[day].slots
    if slot is None or not 0 <= slot < len(slots):
        return str(_("on %(day)s", day=_day_words(ctx, day)))
    starts = slots[slot].starts_at
    return str(
        _(
            "on %(day)s at %(time)s",
            day=format_day(starts, "%A %d %B"),
            time=f"{starts:%H:%M}",
        )
    )


def _window_words(session: DesignSession | None) -> str:
    track = session.track if session is not None else None
    if track is None or track.window_day is None:
        return str(_("its window"))
    day = format_day(track.window_day.date, "%A %d %B")
    if track.window_part == WindowPart.MORNING:
        return str(_("%(day)s morning", day=day))
    if track.window_part == WindowPart.AFTERNOON:
        return str(_("%(day)s afternoon", day=day))
    return day


@dataclass(frozen=True)
class Moved:
    """A session a solve moved in the draft, from → to, in words."""

    session_id: int
    title: str
    before: str
    after: str


def _place_words(ctx: Context, day_id: int | None, slot: int | None, room_id: int | None) -> str:
    day = next((d for d in ctx.days if d.id == day_id), None)
    room = next((r for r in ctx.summit.rooms if r.id == room_id), None)
    if day is None or slot is None or room is None or not 0 <= slot < len(day.slots):
        return str(_("no place"))
    starts = day.slots[slot].starts_at
    return str(
        _(
            "%(day)s, %(time)s, %(room)s",
            day=format_day(starts, "%A %d %B"),
            time=f"{starts:%H:%M}",
            room=room.name,
        )
    )


def record_result(actor_id: int | None, summit_id: int, result: Result) -> list[Moved]:
    """Write a solve's placements as the draft; returns the sessions it moved."""
    ctx = load(summit_id)
    before = {s.id: (s.day_id, s.start_slot, s.room_id) for s in ctx.sessions}
    apply(ctx, result.assignments)
    moved = [
        Moved(
            s.id,
            s.title,
            _place_words(ctx, *before[s.id]),
            _place_words(ctx, s.day_id, s.start_slot, s.room_id),
        )
        for s in ctx.sessions
        if before[s.id] != (s.day_id, s.start_slot, s.room_id) and before[s.id][0] is not None
    ]
    audit.record(
        actor_id,
        "schedule.solve",
        f"summit:{ctx.summit.slug}",
        f"{result.status.value}, objective {result.objective}, {len(moved)} moved",
    )
    return moved


def objective_in_words(result: Result) -> str:
    """The score as its parts (P5): "score 466 (lower is better): 16 attendee clashes, …"."""
    goals = result.goals
    if goals is None or result.objective is None:
        return str(_("score %(score)s", score=result.objective))
    said = []
    if n := goals.attendee_conflicts:
        w = WEIGHTS.attendee_conflict
        said.append(
            ngettext(
                "%(num)d attendee clash (× %(weight)d = %(total)d)",
                "%(num)d attendee clashes (× %(weight)d = %(total)d)",
                n,
                weight=w,
                total=n * w,
            )
        )
    if n := goals.track_parallel_pairs:
        w = WEIGHTS.track_parallel_pair
        said.append(
            ngettext(
                "%(num)d pair of one track's sessions at the same time (× %(weight)d = %(total)d)",
                "%(num)d pairs of one track's sessions at the same time (× %(weight)d = %(total)d)",
                n,
                weight=w,
                total=n * w,
            )
        )
    if n := goals.track_extra_rooms:
        w = WEIGHTS.track_extra_room
        said.append(
            ngettext(
                "%(num)d extra room for a track (× %(weight)d = %(total)d)",
                "%(num)d extra rooms for tracks (× %(weight)d = %(total)d)",
                n,
                weight=w,
                total=n * w,
            )
        )
    if n := goals.moved_sessions:
        w = WEIGHTS.moved_session
        said.append(
            ngettext(
                "%(num)d published session moved (× %(weight)d = %(total)d)",
                "%(num)d published sessions moved (× %(weight)d = %(total)d)",
                n,
                weight=w,
                total=n * w,
            )
        )
    return str(
        _(
            "score %(score)s (lower is better): %(parts)s",
            score=result.objective,
            parts="; ".join(said) or _("nothing to improve"),
        )
    )


def gap_in_words(result: Result) -> str:
    """How far the schedule can be from the best possible one, from the solver's bound."""
    objective, bound = result.objective, result.bound
    if objective is None or bound is None:
        return ""
    if objective <= bound:
        return str(_("It is the best possible schedule."))
    if bound <= 0:
        return str(_("No bound was found on how good the best possible schedule can be."))
    above = math.ceil((objective / bound - 1) * 100)
    return str(_("It is at most %(above)d %% above the best possible schedule.", above=above))


def stop_in_words(result: Result) -> str:
    """What stopped the search (S4), for the organizer."""
    if result.stopped_by is sched.Stop.CLOCK:
        return str(
            _(
                "The time limit stopped the search: a longer limit may find a better schedule, "
                "and a rerun may differ."
            )
        )
    if result.stopped_by is sched.Stop.WORK:
        return str(
            _(
                "The search did all its planned work within the time limit: a rerun gives the "
                "same schedule."
            )
        )
    return str(_("The search ended on its own."))


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


@dataclass(frozen=True)
class Review:
    """What publishing now would change (P4): the diff between the last release and the
    draft, the people each changed session affects, and the mails that would go."""

    summit: Summit
    base: int  # the number of the last release, 0 before the first
    digest: str  # the draft reviewed: publishing refuses when it changed since
    last: dict[int, Facts]
    draft: dict[int, Facts]
    changes: list[Change]
    people: dict[int, list[User]]  # session id → its lead(s) and the people who starred it
    mails: list[Mail]

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind is kind]


def review(summit_id: int) -> Review:
    """The changes the next publication would make; refuses a draft that cannot go out."""
    ctx = load(summit_id)
    problem = to_problem(ctx)
    placements = draft(ctx)
    if len(placements) != len(ctx.sessions):
        raise Conflict(_("Some sessions have no place yet: solve or place them before publishing."))
    errors = check(problem, placements)
    if errors:
        rules = " ".join(in_words(ctx, v) for v in errors[:3])
        raise Conflict(_("The draft breaks rules: %(rules)s", rules=rules))
    last_release = releases.latest(summit_id)
    last = releases.snapshot(last_release)
    snapshot = releases.draft_snapshot(ctx.summit)
    changes = diff(last, snapshot)
    people = affected_people(changes)
    digest = hashlib.blake2b(
        repr((sorted(last.items()), sorted(snapshot.items()))).encode(), digest_size=12
    ).hexdigest()
    return Review(
        ctx.summit,
        last_release.number if last_release else 0,
        digest,
        last,
        snapshot,
        changes,
        people,
        mail_schedule_changes(ctx.summit, changes, people, send=False, published=snapshot),
    )


def draft_changes(ctx: Context) -> dict[int, list[Change]]:
    """For the draft grid: each session's changes since the last release, by session."""
    last = releases.snapshot(releases.latest(ctx.summit.id))
    out: dict[int, list[Change]] = {}
    for c in diff(last, releases.draft_snapshot(ctx.summit)):
        out.setdefault(c.session_id, []).append(c)
    return out


def affected_people(changes: list[Change]) -> dict[int, list[User]]:
    """For each changed session: its lead, before and after, and the people who starred it."""
    ids = {c.session_id for c in changes}
    if not ids:
        return {}
    wanted: defaultdict[int, set[int]] = defaultdict(set)
    for c in changes:
        for f in (c.before, c.after):
            if f is not None and f.lead_id:
                wanted[c.session_id].add(f.lead_id)
    for session_id, user_id in db.session.execute(
        select(Interest.session_id, Interest.user_id).where(Interest.session_id.in_(ids))
    ):
        wanted[session_id].add(user_id)
    every = set().union(*wanted.values()) if wanted else set()
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(every)))}
    return {
        sid: sorted((users[u] for u in people if u in users), key=lambda u: (u.name, u.id))
        for sid, people in wanted.items()
    }


def publish(
    actor_id: int | None,
    summit_id: int,
    *,
    base: int | None = None,
    digest: str | None = None,
    note: str = "",
) -> int:
    """P4: freeze the draft into the next release. `base` and `digest` come from the review
    the organizer confirmed; publishing refuses (409) when the last release or the draft
    changed since. The changes' mails go out in the same transaction (P1). Returns the
    number of already-public sessions that changed."""
    reviewed = review(summit_id)
    if base is not None and base != reviewed.base:
        raise Conflict(
            _(
                "Release %(number)d was published since you reviewed the changes: "
                "review them again.",
                number=reviewed.base,
            )
        )
    if digest is not None and digest != reviewed.digest:
        raise Conflict(_("The draft changed since you reviewed it: review the changes again."))
    last = releases.latest(summit_id)
    release = releases.freeze(
        reviewed.summit, last, reviewed.draft, actor_id=actor_id, note=note.strip()
    )
    mail_schedule_changes(
        reviewed.summit, reviewed.changes, reviewed.people, published=reviewed.draft
    )
    reviewed.summit.published_at = release.published_at
    changed = len({c.session_id for c in reviewed.changes if c.kind is not ChangeKind.NEW})
    audit.record(
        actor_id,
        "schedule.publish",
        f"summit:{reviewed.summit.slug}",
        f"release {release.number}: {changed} published sessions changed",
    )
    return changed


Mail = tuple[str, str, str]  # address, subject, body


def mail_schedule_changes(
    summit: Summit,
    changes: list[Change],
    people: dict[int, list[User]],
    *,
    send: bool = True,
    published: dict[int, Facts] | None = None,
) -> list[Mail]:
    """Every mail a publication sends (P1), worded by `summit.notifications`: a first place
    to the lead; a move (from → to, with each starrer's new clashes among `published`), a new
    title or a cancellation to the lead and the starrers; a restored session or a new lead to
    the lead. Queued in the outbox when `send`; the review page shows the same mails unsent.
    The one place that turns changes into mail."""
    rooms = {r.id: r.name for r in summit.rooms}
    by_session: defaultdict[int, dict[ChangeKind, Change]] = defaultdict(dict)
    for c in changes:
        by_session[c.session_id][c.kind] = c
    with notifications.collected(send=send) as rows:
        for sid, kinds in by_session.items():
            any_change = next(iter(kinds.values()))
            after = any_change.after
            before = any_change.before
            lead = _lead_of(after, people.get(sid, []))
            starrers = [u for u in people.get(sid, []) if lead is None or u.id != lead.id]
            title = after.title
            if ChangeKind.CANCELLED in kinds:
                notifications.session_cancelled(
                    summit,
                    session_id=sid,
                    title=title,
                    place=_place(before or after, rooms),
                    lead=lead,
                    starrers=starrers,
                )
            elif ChangeKind.MOVED in kinds and before is not None:
                after_place = _place(after, rooms)
                notifications.session_moved(
                    summit,
                    session_id=sid,
                    title=title,
                    before=_place(before, rooms),
                    after=after_place,
                    lead=lead,
                    starrers=starrers,
                    clashes=_clashes(sid, after_place, starrers, published or {}, rooms),
                )
            elif ChangeKind.RETITLED in kinds and before is not None:
                notifications.session_renamed(
                    summit,
                    session_id=sid,
                    title=title,
                    old_title=before.title,
                    place=_place(after, rooms),
                    lead=lead,
                    starrers=starrers,
                )
            elif kinds.keys() & {ChangeKind.NEW, ChangeKind.RESTORED, ChangeKind.LEAD_CHANGED}:
                # Scheduled for the first time, back on the schedule, or a new lead's now:
                # the lead hears when and where.
                notifications.session_scheduled(
                    summit, session_id=sid, title=title, place=_place(after, rooms), lead=lead
                )
    return [(r["to_addr"], r["subject"], r["body"]) for r in rows]


def _lead_of(facts: Facts, people: list[User]) -> User | None:
    return next((u for u in people if u.id == facts.lead_id), None) if facts.lead_id else None


def _place(facts: Facts, rooms: dict[int, str]) -> Place:
    return Place(facts.starts_at, facts.ends_at, rooms.get(facts.room_id or 0, ""))


def _clashes(
    session_id: int,
    place: Place,
    starrers: list[User],
    published: dict[int, Facts],
    rooms: dict[int, str],
) -> dict[int, list[str]]:
    """For each starrer: the titles of their other starred sessions that the new place
    overlaps, in the release being published."""
    if not starrers or not published:
        return {}
    found: defaultdict[int, list[str]] = defaultdict(list)
    for user_id, other_id in db.session.execute(
        select(Interest.user_id, Interest.session_id)
        .where(Interest.user_id.in_([u.id for u in starrers]), Interest.session_id != session_id)
        .order_by(Interest.session_id)
    ):
        other = published.get(other_id)
        if other is not None and not other.cancelled and _place(other, rooms).overlaps(place):
            found[user_id].append(other.title)
    return dict(found)


where = releases.where


def set_cancelled(actor_id: int, summit_id: int, session_id: int, cancelled: bool) -> DesignSession:
    """Cancel a session in the draft, or bring it back. The public sees it at the next
    publication: a published one then stays in the calendars as cancelled, with its
    SEQUENCE raised, and its lead and stargazers hear of it (P1, through the diff)."""
    session = db.session.get(DesignSession, session_id)
    if session is None or session.summit_id != summit_id:
        raise NotFound(_("No such session."))
    status = SessionStatus.CANCELLED if cancelled else SessionStatus.ACTIVE
    if session.status == status:
        return session
    session.status = status
    session.locked = session.pinned = False
    if cancelled:
        # Its place is free for the next solve; the release keeps the old time, so the
        # calendars show the cancellation where the session was.
        session.day_id = session.start_slot = session.room_id = None
    audit.record(
        actor_id,
        "session.cancel" if cancelled else "session.restore",
        f"session:{session.id} {session.title}",
    )
    return session
