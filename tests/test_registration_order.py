"""Rules whose broken versions once passed the whole suite (issue 12): R3 orders the waiting
list by join time, not by row id; R7 neutralises every formula start in the CSV exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from summit.exports.csv import attendees_csv, waitlist_csv
from summit.extensions import db
from summit.models import EventKind, PriorityClass, Registration, User
from summit.services import accounts
from summit.services import registration as reg
from tests.conftest import login

T0 = datetime(2011, 3, 1, 10, 0, tzinfo=UTC)


def joined(outcome: reg.Registered, at: datetime) -> None:
    """Back-date a join, as an import of an older list would."""
    registration = db.session.get(Registration, outcome.registration_id)
    assert registration is not None
    registration.joined_at = at
    db.session.flush()


@pytest.fixture
def design(make_summit):
    summit = make_summit(design_capacity=1, design_open=1)
    event = summit.event(EventKind.DESIGN_SUMMIT)
    assert event is not None
    return event


def test_r3_join_time_orders_the_list_even_against_row_ids(design, make_user) -> None:
    """Rows written out of time order (a back-dated join, an import): the earlier join leads."""
    seat, late, early = make_user(), make_user(name="Late"), make_user(name="Early")
    reg.register(seat.id, design.id)
    joined(reg.register(late.id, design.id), T0 + timedelta(minutes=10))  # the smaller id
    joined(reg.register(early.id, design.id), T0 + timedelta(minutes=5))
    db.session.commit()
    assert [r.user.name for r in reg.waiting_list(design)] == ["Early", "Late"]
    by_user = {r.user_id: r for r in reg.waiting_list(design)}
    assert (reg.position(by_user[early.id]), reg.position(by_user[late.id])) == (1, 2)
    organizer = make_user(is_organizer=True)
    db.session.get(type(design), design.id).capacity = 2
    assert reg.confirm_next(organizer.id, design.id, 1) == 1
    db.session.commit()
    confirmed = db.session.get(Registration, by_user[early.id].id)
    assert confirmed is not None and confirmed.status == "confirmed"


def test_r3_a_class_verified_out_of_id_order_still_orders_by_join_time(design, make_user) -> None:
    seat = make_user()
    first = make_user(name="First", claim="core", claim_project="Nova", claim_status="pending")
    second = make_user(name="Second", claim="core", claim_project="Swift", claim_status="pending")
    organizer = make_user(is_organizer=True)
    reg.register(seat.id, design.id)
    joined(reg.register(second.id, design.id), T0 + timedelta(minutes=9))
    joined(reg.register(first.id, design.id), T0 + timedelta(minutes=1))
    # Verified in the other order: the later verification must not reorder them.
    accounts.decide_claim(organizer.id, second.id, verify=True)
    accounts.decide_claim(organizer.id, first.id, verify=True)
    db.session.commit()
    names = [r.user.name for r in reg.waiting_list(design)]
    assert names == ["First", "Second"]
    assert {
        u.verified_class for u in db.session.query(User).filter(User.id.in_([first.id, second.id]))
    } == {PriorityClass.CORE}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_r7_every_formula_start_is_neutralised_in_both_exports(
    design, make_user, start: str
) -> None:
    seat = make_user(name=f'{start}HYPERLINK("http://evil")', affiliation=f"{start}1+1")
    waiting = make_user(name=f"{start}cmd|' /C calc'!A0")
    reg.register(seat.id, design.id)
    reg.register(waiting.id, design.id)
    db.session.commit()
    for data in (
        attendees_csv(reg.attendees(design)),
        waitlist_csv(list(enumerate(reg.waiting_list(design), 1))),
    ):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        cells = [cell for row in rows[1:] for cell in row]
        assert cells, rows
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), repr(cell)
        assert any(cell.startswith("'" + start) for cell in cells)


def test_r7_the_organizers_download_is_neutralised(client: FlaskClient, design, make_user) -> None:
    seat = make_user(name="@SUM(A1:A9)")
    organizer = make_user(is_organizer=True)
    reg.register(seat.id, design.id)
    db.session.commit()
    login(client, organizer)
    body = client.get(f"/organizer/events/{design.id}/attendees.csv").get_data(as_text=True)
    assert "'@SUM(A1:A9)" in body
