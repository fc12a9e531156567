"""Select-field options: WTForms 3.3 wants SelectChoice objects, not tuples."""

from __future__ import annotations

from typing import Any

from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3


def choices(*pairs: tuple[Any, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]
