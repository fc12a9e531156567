"""Domain errors: expected failures carrying a message for the user."""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure; `status` is the HTTP status a view answers with."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field  # the form field the message belongs to, when there is one


class Invalid(DomainError):
    status = 422


class Conflict(DomainError):
    status = 409


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403
