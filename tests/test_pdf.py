"""P5: the schedule as a PDF, `/<summit>/schedule.pdf` and `?day=`: a page per Design Summit
day with its grid, the tracks' legend and the lightning talks. Read back as a reader would:
pdftotext for the words, pdftoppm for the pictures of the pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from summit.extensions import db
from tests.conftest import ARTIFACTS, TEST_DB
from tests.factories import SESSIONS, Published


def pages_text(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "schedule.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [page for page in out.split("\f") if page.strip()]


def page_images(pdf: bytes, tmp_path: Path, name: str) -> list[Path]:
    path = tmp_path / "schedule.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    for number, image in enumerate(images, start=1):
        (ARTIFACTS / f"{name}-page{number}-{TEST_DB}.png").write_bytes(image.read_bytes())
    return images


def has_colour(image: Path, hex_colour: str, tolerance: int = 12) -> bool:
    want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    pixels = Image.open(image).convert("RGB").get_flattened_data()
    return any(all(abs(p[i] - want[i]) <= tolerance for i in range(3)) for p in pixels)


def test_p5_the_pdf_has_a_page_per_day_with_its_grid_legend_and_lightning_talks(
    client: FlaskClient, published: Published, tmp_path: Path
) -> None:
    response = client.get("/diablo/schedule.pdf")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    assert 'filename="diablo-schedule.pdf"' in response.headers["Content-Disposition"]
    pages = pages_text(response.data, tmp_path)
    assert len(pages) == len(published.summit.design_days) == 3
    for page, day in zip(
        pages, ("Wednesday 27 April 2011", "Thursday 28 April", "Friday 29"), strict=True
    ):
        assert day in page
        assert "Nova" in page and "Swift" in page  # the legend, on every page
        assert "Ballroom A" in page  # the rooms across
    by_day = {0: [], 1: [], 2: []}
    for title, _track, day, *_ in SESSIONS:
        by_day[day].append(title)
    for day, titles in by_day.items():
        for title in titles:
            words = title.split(":")[0]  # long titles wrap in their cell; the start stays whole
            assert words in pages[day], (title, day)
            assert all(words not in pages[other] for other in by_day if other != day)
    assert "Five minutes of Swift" in pages[0]  # the fan's lightning talk, on its day
    assert "Fan Favourite" in pages[0]
    images = page_images(response.data, tmp_path, "schedule-pdf")
    assert len(images) == 3
    nova = next(t for t in published.summit.tracks if t.slug == "nova")
    assert has_colour(images[0], nova.colour)  # the track colours are kept


def test_p5_the_pdf_of_one_day(client: FlaskClient, published: Published, tmp_path: Path) -> None:
    response = client.get("/diablo/schedule.pdf?day=2011-04-28")
    assert response.status_code == 200
    assert "diablo-schedule-2011-04-28.pdf" in response.headers["Content-Disposition"]
    (page,) = pages_text(response.data, tmp_path)
    assert "Swift auth middleware" in page
    assert "Nova API version two" not in page


@pytest.mark.parametrize(
    ("day", "status"), [("28-04-2011", 400), ("2011-02-30", 400), ("2011-05-01", 404)]
)
def test_p5_a_pdf_day_that_is_not_a_summit_day(
    client: FlaskClient, published: Published, day: str, status: int
) -> None:
    assert client.get(f"/diablo/schedule.pdf?day={day}").status_code == status


def test_p4_the_pdf_shows_the_release_not_the_draft(
    client: FlaskClient, published: Published, tmp_path: Path
) -> None:
    published.sessions[0].title = "A draft title nobody may see"
    db.session.commit()
    response = client.get("/diablo/schedule.pdf?day=2011-04-27")
    (page,) = pages_text(response.data, tmp_path)
    assert "Nova API version two" in page
    assert "draft title" not in page


def test_p5_an_unchanged_pdf_answers_304(client: FlaskClient, published: Published) -> None:
    first = client.get("/diablo/schedule.pdf?day=2011-04-27")
    again = client.get(
        "/diablo/schedule.pdf?day=2011-04-27", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_p5_the_schedule_page_links_to_the_pdfs(client: FlaskClient, published: Published) -> None:
    page = client.get("/diablo/schedule?day=2011-04-28").get_data(as_text=True)
    assert 'href="/diablo/schedule.pdf"' in page
    assert 'href="/diablo/schedule.pdf?day=2011-04-28"' in page
