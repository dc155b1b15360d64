"""Domain errors with stable machine-readable codes, shared by every app.

The web and the API turn a ``DomainError`` into a form error or a 4xx answer carrying ``code`` and the message;
nothing that raises one has written anything yet (services validate before they write).
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the marketplace refused an action. ``code`` is stable; the message is for people."""

    code: str = "domain_error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 422
