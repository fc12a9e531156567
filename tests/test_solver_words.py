"""I1 and S3: why no schedule exists, in the organizer's language. The solver (a pure
library) words each reason in English and keeps its kind and values; the app words the same
reason again through its catalogs."""

from __future__ import annotations

import re

from flask import Flask
from flask_babel import force_locale

from scheduler.explain import TEXTS, Reason
from summit.services.scheduling import reason_in_words


def sample(kind: str) -> Reason:
    names = re.findall(r"{(\w+)}", TEXTS[kind])
    return Reason(
        kind, **{name: (7 if name in {"slots", "need", "can"} else name.upper()) for name in names}
    )


def test_i1_every_solver_reason_reads_the_same_in_english_through_the_app(app: Flask) -> None:
    with app.test_request_context():
        for kind in TEXTS:
            reason = sample(kind)
            assert reason_in_words(reason) == str(reason), kind


def test_i1_solver_reasons_in_german_and_chinese(app: Flask) -> None:
    with app.test_request_context():
        for locale in ("de", "zh_CN"):
            with force_locale(locale):
                for kind in TEXTS:
                    reason = sample(kind)
                    words = reason_in_words(reason)
                    assert words != str(reason), (locale, kind)
                    for value in reason.values.values():  # the data survives the wording
                        assert str(value) in words, (locale, kind, value)


def test_s3_a_reason_read_back_as_text_stays_as_written(app: Flask) -> None:
    with app.test_request_context():
        assert reason_in_words("Some reason.") == "Some reason."
