"""R1-R5 as properties: for any sequence of joins, verifications, confirmations, declines and
cancellations, the list keeps its order, confirmed never passes capacity, no seat is lost."""

from __future__ import annotations

from datetime import date

from flask import Flask
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, func, select

from summit import create_app
from summit.extensions import db
from summit.models import (
    Base,
    ClaimStatus,
    Event,
    EventKind,
    PriorityClass,
    Registration,
    RegistrationStatus,
    Summit,
    User,
)
from summit.services import accounts
from summit.services import registration as reg
from summit.services.errors import DomainError
from tests.conftest import config_for

USERS = 8
CLAIMS = st.sampled_from([PriorityClass.CORE, PriorityClass.KNOWN, PriorityClass.OTHER])


def waitlist_machine(app: Flask) -> type[RuleBasedStateMachine]:

    class Waitlist(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.ctx = app.app_context()
            self.ctx.push()

        @initialize(
            policy=st.sampled_from(["review", "auto"]),
            capacity=st.integers(1, 5),
            open_share=st.integers(0, 5),
            claims=st.lists(CLAIMS, min_size=USERS, max_size=USERS),
        )
        def setup(
            self, policy: str, capacity: int, open_share: int, claims: list[PriorityClass]
        ) -> None:
            summit = Summit(name="Prop", slug="prop", timezone="UTC")
            self.event = Event(
                summit=summit,
                kind=EventKind.DESIGN_SUMMIT,
                starts_on=date(2011, 4, 27),
                ends_on=date(2011, 4, 29),
                capacity=capacity,
                open_seats=min(open_share, capacity),
                confirmed_count=0,
                policy=policy,
            )
            self.users = [
                User(
                    name=f"u{i}",
                    email=f"u{i}@example.org",
                    claim=claim,
                    claim_project="Nova",
                    claim_status=ClaimStatus.PENDING if claim != "other" else "none",
                    verified_class=PriorityClass.OTHER,
                )
                for i, claim in enumerate(claims)
            ]
            self.organizer = User(name="org", email="org@example.org", is_organizer=True)
            db.session.add_all([summit, self.event, *self.users, self.organizer])
            db.session.commit()

        def _attempt(self, action) -> None:  # type: ignore[no-untyped-def]
            try:
                action()
                db.session.commit()
            except DomainError:
                db.session.rollback()

        def _entries(self, status: str) -> list[Registration]:
            return list(
                db.session.scalars(
                    select(Registration)
                    .where(Registration.event_id == self.event.id, Registration.status == status)
                    .order_by(Registration.id)
                )
            )

        @rule(who=st.integers(0, USERS - 1))
        def join(self, who: int) -> None:
            self._attempt(lambda: reg.register(self.users[who].id, self.event.id))

        @rule(who=st.integers(0, USERS - 1), verify=st.booleans())
        def decide_claim(self, who: int, verify: bool) -> None:
            self._attempt(
                lambda: accounts.decide_claim(self.organizer.id, self.users[who].id, verify=verify)
            )

        @rule(pick=st.integers(0, USERS))
        def confirm_chosen(self, pick: int) -> None:
            waiting = self._entries(RegistrationStatus.WAITLISTED)
            if waiting:
                entry = waiting[pick % len(waiting)]
                self._attempt(
                    lambda: reg.confirm_entries(self.organizer.id, self.event.id, [entry.id])
                )

        @rule(n=st.integers(1, 4))
        def confirm_next(self, n: int) -> None:
            self._attempt(lambda: reg.confirm_next(self.organizer.id, self.event.id, n))

        @rule(pick=st.integers(0, USERS))
        def decline(self, pick: int) -> None:
            waiting = self._entries(RegistrationStatus.WAITLISTED)
            if waiting:
                entry = waiting[pick % len(waiting)]
                self._attempt(lambda: reg.decline(self.organizer.id, entry.id, "full"))

        @rule(pick=st.integers(0, USERS), confirmed=st.booleans())
        def cancel(self, pick: int, confirmed: bool) -> None:
            status = RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
            entries = self._entries(status)
            if entries:
                entry = entries[pick % len(entries)]
                self._attempt(lambda: reg.cancel(entry.user_id, entry.id))

        @invariant()
        def seats_are_counted_and_within_capacity(self) -> None:
            if not hasattr(self, "event"):
                return
            db.session.refresh(self.event)
            confirmed = len(self._entries(RegistrationStatus.CONFIRMED))
            assert self.event.confirmed_count == confirmed <= self.event.capacity

        @invariant()
        def list_is_in_class_then_join_order(self) -> None:
            if not hasattr(self, "event"):
                return
            queue = reg.waiting_list(self.event)
            keys = [(PriorityClass(r.user.verified_class).rank, r.joined_at, r.id) for r in queue]
            assert keys == sorted(keys)
            assert [reg.position(r) for r in queue] == list(range(1, len(queue) + 1))

        @invariant()
        def one_live_registration_per_person(self) -> None:
            if not hasattr(self, "event"):
                return
            live = db.session.scalars(
                select(Registration.user_id).where(
                    Registration.status.in_(["confirmed", "waitlisted"])
                )
            ).all()
            assert len(live) == len(set(live))

        @invariant()
        def no_seat_is_lost(self) -> None:
            if not hasattr(self, "event"):
                return
            waiting = (
                db.session.scalar(
                    select(func.count())
                    .select_from(Registration)
                    .where(Registration.status == RegistrationStatus.WAITLISTED)
                )
                or 0
            )
            if self.event.policy == "auto" and waiting:
                # A freed first-come seat never sits empty while someone waits.
                assert self.event.confirmed_count >= self.event.open_seats
            counts = reg.counts(self.event)
            assert counts.review_seats_left == self.event.capacity - counts.confirmed

        def teardown(self) -> None:
            db.session.rollback()
            for table in reversed(Base.metadata.sorted_tables):
                db.session.execute(delete(table))
            db.session.commit()
            db.session.remove()
            self.ctx.pop()

    return Waitlist


def test_r3_r4_r5_waitlist_state_machine(app: Flask, database_url: str) -> None:
    # Its own app, so each example pushes a fresh context on the database under test.
    machine_app = create_app(config_for(database_url))
    try:
        run_state_machine_as_test(
            waitlist_machine(machine_app),
            settings=settings(max_examples=150, stateful_step_count=30, deadline=None),
        )
    finally:
        with machine_app.app_context():
            db.engine.dispose()
