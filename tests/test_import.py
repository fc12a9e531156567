"""B4: bulk import from CSV and JSON, by command and by upload, with progress."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from summit import jobs
from summit.extensions import db
from summit.models import Blueprint, Job, JobStatus, OutboxEmail, Summit, User
from tests.conftest import TEST_DB, login

HEADER = ["title", "track", "description", "url", "submitter_email", "submitter_name", "length"]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def row(i: int, **overrides: str) -> list[str]:
    values = {
        "title": f"Blueprint number {i}",
        "track": "Nova" if i % 2 else "swift",
        "description": f"Idea {i}",
        "url": f"https://blueprints.launchpad.net/x/+spec/b{i}",
        "submitter_email": f"dev{i % 7}@example.org",
        "submitter_name": f"Dev {i % 7}",
        "length": "2" if i % 10 == 0 else "1",
        **overrides,
    }
    return [values[c] for c in HEADER]


@pytest.fixture
def summit(make_summit) -> Summit:
    summit = make_summit()
    db.session.commit()
    return summit


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_b4_csv_import_then_reimport_updates_instead_of_duplicating(
    runner: FlaskCliRunner, summit: Summit, tmp_path: Path
) -> None:
    path = tmp_path / "blueprints.csv"
    path.write_bytes(csv_bytes([row(i) for i in range(1, 21)]))
    result = runner.invoke(args=["summit", "import-blueprints", str(path)])
    assert result.exit_code == 0, result.output
    assert "20 created, 0 updated" in result.output
    assert "7 new accounts" in result.output
    assert count(Blueprint) == 20
    # The same file again, with one description changed: updates, no duplicate.
    path.write_bytes(
        csv_bytes([row(i, description="Changed" if i == 3 else f"Idea {i}") for i in range(1, 21)])
    )
    again = runner.invoke(args=["summit", "import-blueprints", str(path), "--summit", "diablo"])
    assert again.exit_code == 0, again.output
    assert "0 created, 20 updated" in again.output
    assert count(Blueprint) == 20
    changed = db.session.scalar(select(Blueprint).where(Blueprint.title == "Blueprint number 3"))
    assert changed is not None
    assert changed.description == "Changed"
    # Without a URL, the same title and track is the same blueprint.
    path.write_bytes(csv_bytes([row(1, url=""), row(1, url="")]))
    runner.invoke(args=["summit", "import-blueprints", str(path)])
    assert count(Blueprint) == 20


def test_b4_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(
    runner: FlaskCliRunner, summit: Summit, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [
                row(1),
                row(2, track="Basketweaving"),
                row(3, submitter_email="not-an-email"),
                row(4, title="Tiny"),
                row(5, url="javascript:alert(1)"),
                row(6, length="7"),
                row(7),
            ]
        )
    )
    result = runner.invoke(args=["summit", "import-blueprints", str(path)])
    assert result.exit_code != 0
    for line, text in [
        (3, "no track called “Basketweaving”"),
        (4, "submitter_email"),
        (5, "5 to 120 characters"),
        (6, "http:// or https://"),
        (7, "1 or 2 slots"),
    ]:
        assert f"line {line}: " in result.output
        assert text in result.output
    assert "Nothing imported: 5 bad rows" in result.output
    assert count(Blueprint) == 0
    assert count(User) == 0
    partial = runner.invoke(args=["summit", "import-blueprints", str(path), "--partial"])
    assert partial.exit_code == 0, partial.output
    assert count(Blueprint) == 2


def test_b4_json_import_and_malformed_files(
    runner: FlaskCliRunner, summit: Summit, tmp_path: Path
) -> None:
    path = tmp_path / "blueprints.json"
    items = [dict(zip(HEADER, row(i), strict=True)) for i in range(1, 4)]
    path.write_text(json.dumps({"blueprints": items}))
    result = runner.invoke(args=["summit", "import-blueprints", str(path)])
    assert result.exit_code == 0, result.output
    assert count(Blueprint) == 3
    path.write_text('[{"title": "Broken"')
    broken = runner.invoke(args=["summit", "import-blueprints", str(path)])
    assert broken.exit_code != 0
    assert "The JSON cannot be read" in broken.output
    path.write_text('[{"title": "Only a title here", "track": "Nova"}, 5]')
    bad = runner.invoke(args=["summit", "import-blueprints", str(path)])
    assert "line 1: missing submitter_email" in bad.output
    assert "line 2: is not an object" in bad.output


def test_b4_imported_submitters_claim_their_account_by_email(
    client: FlaskClient, runner: FlaskCliRunner, summit: Summit, tmp_path: Path
) -> None:
    path = tmp_path / "one.csv"
    path.write_bytes(csv_bytes([row(1, submitter_email="soren@example.org")]))
    runner.invoke(args=["summit", "import-blueprints", str(path)])
    user = db.session.scalar(select(User).where(User.email == "soren@example.org"))
    assert user is not None
    assert user.password_hash is None
    signup = client.post(
        "/signup",
        data={
            "name": "Soren",
            "email": "soren@example.org",
            "password": "long-password",
            "confirm": "long-password",
            "claim": "other",
        },
    )
    # The same answer as for a new address (A4); the claim link goes to the mailbox.
    assert signup.status_code == 302
    assert "/login" in signup.location
    client.post("/claim-account", data={"email": "soren@example.org"})
    client.post("/claim-account", data={"email": "unknown@example.org"})  # says the same
    mail = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    assert [m.to_addr for m in mail] == ["soren@example.org", "soren@example.org"]
    link = re.search(r"http://summit.test(/claim-account/\S+)", mail[0].body)
    assert link is not None
    assert client.post(link.group(1) + "x", data={"password": "my-new-password"}).status_code == 422
    claimed = client.post(link.group(1), data={"password": "my-new-password"})
    assert claimed.status_code == 302
    page = client.get("/my/blueprints").get_data(as_text=True)
    assert "Blueprint number 1" in page
    assert client.post(link.group(1), data={"password": "again-password"}).status_code == 409


def test_b4_upload_page_runs_in_the_worker_with_progress(
    app: Flask, client: FlaskClient, summit: Summit, make_user
) -> None:
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    data = csv_bytes([row(i) for i in range(1, 601)] + [row(601, track="Nope")])
    response = client.post(
        f"/organizer/summits/{summit.id}/import",
        data={"file": (io.BytesIO(data), "blueprints.csv"), "partial": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    job_url = response.location
    assert "queued" in client.get(job_url).get_data(as_text=True)
    assert count(Blueprint) == 0  # nothing happens inside the request
    assert jobs.run_pending(app) == 1
    state = client.get(job_url + ".json").get_json()
    assert state["status"] == JobStatus.DONE
    assert (state["done"], state["total"]) == (600, 600)
    assert state["result"]["created"] == 600
    assert state["result"]["errors"] == [[602, "no track called “Nope”"]]
    page = client.get(job_url).get_data(as_text=True)
    assert "line 602: no track called" in page
    assert count(Blueprint) == 600


def test_b4_upload_without_a_file_or_with_garbage(
    client: FlaskClient, summit: Summit, make_user, app: Flask
) -> None:
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    empty = client.post(
        f"/organizer/summits/{summit.id}/import", data={}, content_type="multipart/form-data"
    )
    assert empty.status_code == 422
    assert "Choose a file" in empty.get_data(as_text=True)
    binary = client.post(
        f"/organizer/summits/{summit.id}/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00garbage"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert binary.status_code == 422
    assert "not UTF-8" in binary.get_data(as_text=True)
    headerless = client.post(
        f"/organizer/summits/{summit.id}/import",
        data={"file": (io.BytesIO(b"just,some,words\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    jobs.run_pending(app)
    state = client.get(headerless.location + ".json").get_json()
    assert state["status"] == JobStatus.FAILED
    assert "header lacks the columns: title, track, submitter_email" in state["message"]
    assert count(Blueprint) == 0
    assert db.session.scalar(select(Job.status)) == JobStatus.FAILED


def test_b4_a_5000_row_file(runner: FlaskCliRunner, summit: Summit, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes([row(i) for i in range(1, 5001)]))
    result = runner.invoke(args=["summit", "import-blueprints", str(path)])
    assert result.exit_code == 0, result.output
    assert "5000 created" in result.output
    assert count(Blueprint) == 5000
    assert (
        db.session.scalar(
            select(func.count()).select_from(Blueprint).where(Blueprint.length_slots == 2)
        )
        == 500
    )


def test_b4_deep_nesting_and_huge_numbers_get_a_reason_not_a_crash(
    client: FlaskClient, summit: Summit, make_user, app: Flask
) -> None:
    """Issue 12: these once ended as "The job failed unexpectedly" with no reason."""
    organizer = make_user(is_organizer=True)
    db.session.commit()
    login(client, organizer)
    huge = "9" * 5000
    files = {
        "deep.json": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        "number.json": (
            '[{"title": "A long title", "track": "Nova", "submitter_email": "a@example.org", '
            f'"length": {huge}}}]',
            "line 1: ",
        ),
        "object.json": (
            '[{"title": {"a": [1, 2]}, "track": "Nova", "submitter_email": "a@example.org"}]',
            "line 1: title: give text, not a list or object",
        ),
    }
    for name, (text, reason) in files.items():
        response = client.post(
            f"/organizer/summits/{summit.id}/import",
            data={"file": (io.BytesIO(text.encode()), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, name
        jobs.run_pending(app)
        state = client.get(response.location + ".json").get_json()
        assert state["status"] in (JobStatus.FAILED, JobStatus.DONE), (name, state)
        everything = state["message"] + " ".join(
            f"line {line}: {message}" for line, message in (state["result"] or {}).get("errors", [])
        )
        assert reason in everything, (name, state)
        assert "unexpectedly" not in everything
    assert count(Blueprint) == 0


@pytest.mark.skipif(
    TEST_DB == "sqlite", reason="SQLite has one writer: nobody can sign up while an import writes"
)
def test_j1_an_address_taken_while_the_import_runs_joins_that_account(
    app: Flask, summit: Summit
) -> None:
    from summit.services.imports import import_blueprints, parse

    rows = parse(csv_bytes([row(1), row(2)]), "race.csv")

    def sign_up_during_the_import(done: int, total: int) -> None:
        if done == 1:  # row 2's submitter signs up, on a connection of their own
            with db.engine.begin() as other:
                other.execute(
                    User.__table__.insert().values(
                        email="dev2@example.org", name="Signed up", is_organizer=False
                    )
                )

    report = import_blueprints(None, summit.id, rows, progress=sign_up_during_the_import)
    db.session.commit()
    assert (report.created, report.new_accounts, report.errors) == (2, 1, [])
    second = db.session.scalar(select(Blueprint).where(Blueprint.title == "Blueprint number 2"))
    assert second is not None
    assert second.submitter.name == "Signed up"
