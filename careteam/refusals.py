"""The base of the errors a service raises when one of its rules refuses a request."""

from __future__ import annotations


class Refusal(ValueError):
    """A rule refused the request: the message is for the person who asked, and ``field``
    names the form field it belongs to, if any.  Raise a subclass of it from a service; the
    view catches it and calls ``form.add_error(error)``, which shows the message beside that
    field (or above the form) with status 422."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
