"""The base of the errors a service raises when one of its rules refuses a request."""

from __future__ import annotations


class Refusal(ValueError):
    """A rule refused the request: the message is for the person who asked, and ``field``
    names the form field it belongs to, if any (``CareForm.add_error`` shows it there)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
