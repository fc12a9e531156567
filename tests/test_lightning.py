"""L1-L3: the lightning-talk whiteboard, first come first served, never two talks in a slot."""

from __future__ import annotations

import re
from datetime import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from summit.extensions import db
from summit.models import Day, LightningSlot, LightningTalk, OutboxEmail
from summit.services import lightning
from summit.services.errors import Conflict
from summit.services.summits import sync_lightning_slots
from tests.conftest import login
from tests.factories import Published, confirm_seat
from tests.test_registration_concurrency import race


def slots_of(day: Day) -> list[LightningSlot]:
    return list(
        db.session.scalars(
            select(LightningSlot)
            .where(LightningSlot.day_id == day.id)
            .order_by(LightningSlot.position)
        )
    )


def talks_in(slot_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(LightningTalk).where(LightningTalk.slot_id == slot_id)
        )
        or 0
    )


def test_l1_the_lightning_window_is_cut_into_five_minute_slots(published: Published) -> None:
    day = published.summit.design_days[1]
    slots = slots_of(day)
    assert len(slots) == 6  # a 30-minute window
    local = [s.starts_at.astimezone(published.summit.zone).time() for s in slots]
    assert local == [
        time(13, 10),
        time(13, 15),
        time(13, 20),
        time(13, 25),
        time(13, 30),
        time(13, 35),
    ]
    assert all((s.ends_at - s.starts_at).total_seconds() == 300 for s in slots)
    day.lightning_minutes, day.lightning_slot_minutes = 40, 10  # the day's settings rule
    db.session.flush()
    sync_lightning_slots(day)
    db.session.flush()
    assert [(s.ends_at - s.starts_at).total_seconds() for s in slots_of(day)] == [600.0] * 4


def test_l3_the_whiteboard_shows_free_and_taken_slots(
    client: FlaskClient, published: Published
) -> None:
    html = client.get("/diablo/lightning").get_data(as_text=True)
    assert len(re.findall(r'<tr id="slot-\d+" class="taken', html)) == 1
    assert len(re.findall(r'<tr id="slot-\d+" class="free', html)) == 17
    taken = re.search(r'class="taken".*?</tr>', html, re.S)
    assert taken and "Five minutes of Swift" in taken.group(0) and "Fan Favourite" in taken.group(0)
    assert "Log in</a> with a confirmed seat" in html


def test_l2_booking_is_one_step_for_a_registered_attendee(
    client: FlaskClient, published: Published, make_user
) -> None:
    speaker = make_user(name="Quick Speaker")
    confirm_seat(speaker, published.summit)
    db.session.commit()
    slot = slots_of(published.summit.design_days[1])[2]
    login(client, speaker)
    board = client.get("/diablo/lightning").text
    assert f'for="title-{slot.id}"' in board  # every free slot has its labelled title field
    response = client.post(
        "/diablo/lightning/book", data={"slot_id": slot.id, "title": "  Rust  for   OpenStack "}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Booked: “Rust for OpenStack”" in page
    row = re.search(rf'id="slot-{slot.id}".*?</tr>', page, re.S)
    assert row and "Rust for OpenStack" in row.group(0) and "Quick Speaker" in row.group(0)
    assert "Cancel my talk" in row.group(0)


def test_l2_only_attendees_with_a_seat_book(
    client: FlaskClient, published: Published, make_user
) -> None:
    stranger = make_user(name="No Seat")
    db.session.commit()
    slot = slots_of(published.summit.design_days[1])[0]
    login(client, stranger)
    response = client.post("/diablo/lightning/book", data={"slot_id": slot.id, "title": "Hi"})
    assert response.status_code == 403 and "confirmed seat" in response.text
    assert talks_in(slot.id) == 0


def test_l2_bad_input_gets_a_clear_message(client: FlaskClient, published: Published) -> None:
    login(client, published.fan)
    slot = slots_of(published.summit.design_days[1])[0]
    empty = client.post("/diablo/lightning/book", data={"slot_id": slot.id, "title": "  "})
    assert empty.status_code == 422 and "Give your talk a title" in empty.text
    missing = client.post("/diablo/lightning/book", data={"slot_id": 999999, "title": "Hello"})
    assert missing.status_code == 404 and "No such lightning slot" in missing.text
    nonsense = client.post("/diablo/lightning/book", data={"slot_id": "x", "title": "Hello"})
    assert nonsense.status_code == 422
    long = client.post("/diablo/lightning/book", data={"slot_id": slot.id, "title": "x" * 121})
    assert long.status_code == 422
    assert talks_in(slot.id) == 0


def test_l2_one_talk_per_person_per_day_unless_organizers_change_it(
    client: FlaskClient, published: Published
) -> None:
    first_day = slots_of(published.summit.design_days[0])
    login(client, published.fan)  # already has a talk on the first day
    again = client.post(
        "/diablo/lightning/book", data={"slot_id": first_day[3].id, "title": "More"}
    )
    assert again.status_code == 409 and "already have a talk on that day" in again.text
    assert talks_in(first_day[3].id) == 0
    other_day = slots_of(published.summit.design_days[1])[1]
    ok = client.post("/diablo/lightning/book", data={"slot_id": other_day.id, "title": "Other day"})
    assert ok.status_code == 302

    login(client, published.organizer)
    assert client.post("/diablo/lightning/limit", data={"talks_per_day": 2}).status_code == 302
    assert client.post("/diablo/lightning/limit", data={"talks_per_day": 0}).status_code == 422
    login(client, published.fan)
    more = client.post("/diablo/lightning/book", data={"slot_id": first_day[3].id, "title": "More"})
    assert more.status_code == 302 and talks_in(first_day[3].id) == 1


def test_l2_speakers_cancel_their_own_talk_only(
    client: FlaskClient, published: Published, make_user
) -> None:
    other = make_user(name="Someone Else")
    confirm_seat(other, published.summit)
    db.session.commit()
    talk_id, slot_id = published.talk.id, published.talk.slot_id
    login(client, other)
    refused = client.post(f"/diablo/lightning/talks/{talk_id}/cancel")
    assert refused.status_code == 403 and talks_in(slot_id) == 1
    login(client, published.fan)
    assert client.post(f"/diablo/lightning/talks/{talk_id}/cancel").status_code == 302
    assert talks_in(slot_id) == 0


def test_l2_organizers_remove_talks_and_block_slots(
    client: FlaskClient, published: Published
) -> None:
    talk_slot = published.talk.slot_id
    login(client, published.organizer)
    blocked_taken = client.post(f"/diablo/lightning/slots/{talk_slot}/block", data={"blocked": "y"})
    assert blocked_taken.status_code == 409 and "remove the talk" in blocked_taken.text
    assert client.post(f"/diablo/lightning/talks/{published.talk.id}/remove").status_code == 302
    assert talks_in(talk_slot) == 0
    mail = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to_addr == published.fan.email))
    assert any("Lightning talk removed" in m.subject for m in mail)
    assert (
        client.post(f"/diablo/lightning/slots/{talk_slot}/block", data={"blocked": "y"}).status_code
        == 302
    )
    login(client, published.fan)
    refused = client.post("/diablo/lightning/book", data={"slot_id": talk_slot, "title": "Back"})
    assert refused.status_code == 409 and "keep that slot free" in refused.text
    assert "Kept free by the organizers" in client.get("/diablo/lightning").text
    # Attendees cannot remove or block.
    slot = slots_of(published.summit.design_days[2])[0]
    assert (
        client.post(f"/diablo/lightning/slots/{slot.id}/block", data={"blocked": "y"}).status_code
        == 403
    )


def test_l2_a_lost_race_says_just_taken_with_the_nearest_free_slots(
    client: FlaskClient, published: Published, make_user
) -> None:
    winner = make_user(name="Fast Fingers")
    confirm_seat(winner, published.summit)
    db.session.commit()
    slot = slots_of(published.summit.design_days[2])[2]
    lightning.book_lightning_slot(winner.id, slot.id, "I was first")
    db.session.commit()
    login(client, published.fan)
    lost = client.post("/diablo/lightning/book", data={"slot_id": slot.id, "title": "Me too"})
    assert lost.status_code == 409
    assert "Just taken" in lost.text and "Nearest free: 13:15, 13:25, 13:10" in lost.text
    assert lost.text.count('class="free nearest"') == 3


def test_l2_fifty_people_racing_for_one_slot_exactly_one_gets_it(
    app: Flask, published: Published, make_user
) -> None:
    people = [make_user(name=f"Racer {i}", email=f"racer{i}@example.org") for i in range(50)]
    for person in people:
        confirm_seat(person, published.summit)
    db.session.commit()
    slot_id = slots_of(published.summit.design_days[1])[3].id
    ids = [p.id for p in people]
    db.session.remove()

    jobs = [
        (lambda uid=uid: lightning.book_lightning_slot(uid, slot_id, f"Talk of {uid}").id)
        for uid in ids
    ]
    won, refused = race(app, jobs)
    assert len(won) == 1 and len(refused) == 49
    assert all(message.startswith("Just taken") for message in refused)
    assert talks_in(slot_id) == 1


def test_l2_one_person_booking_many_slots_at_once_still_gets_one_per_day(
    app: Flask, published: Published, make_user
) -> None:
    eager = make_user(name="Eager Speaker")
    confirm_seat(eager, published.summit)
    db.session.commit()
    slot_ids = [s.id for s in slots_of(published.summit.design_days[1])]
    user_id = eager.id
    db.session.remove()
    jobs = [
        (lambda sid=sid: lightning.book_lightning_slot(user_id, sid, "Everywhere").id)
        for sid in slot_ids
    ]
    won, refused = race(app, jobs)
    assert len(won) == 1 and len(refused) == len(slot_ids) - 1
    mine = db.session.scalar(
        select(func.count()).select_from(LightningTalk).where(LightningTalk.user_id == user_id)
    )
    assert mine == 1


def test_l2_the_service_refuses_without_writing(published: Published) -> None:
    slot = slots_of(published.summit.design_days[0])[4]
    try:
        lightning.book_lightning_slot(published.fan.id, slot.id, "Second on day one")
    except Conflict:
        db.session.rollback()
    else:  # pragma: no cover - the rule failed
        raise AssertionError("a second talk on the same day was accepted")
    assert talks_in(slot.id) == 0
