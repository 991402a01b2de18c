"""Links to occurrences, built from per-request patterns: calendar pages link hundreds of them.

``url_for`` runs once per circle and request with markers in place of the appointment's public
id and the occurrence key; each link is then the pattern with the markers replaced.  Public ids
(URL-safe base64) and keys (digits and "T") need no quoting, so the result is what ``url_for``
would give.
"""

from __future__ import annotations

from typing import Any

from flask import g, url_for

from .occurrences import Occurrence

_ID_SLOT, _KEY_SLOT = "APPOINTMENTID", "OCCURRENCEKEY"


class OccurrenceLinks:
    """The link patterns of one circle's calendar."""

    __slots__ = ("_series", "_single")

    def __init__(self, circle: Any) -> None:
        values = {"circle_id": circle.public_id, "appointment_id": _ID_SLOT}
        self._single = url_for("appointments.detail", **values)
        self._series = url_for("appointments.occurrence", occurrence=_KEY_SLOT, **values)

    def series_pattern(self, public_id: str) -> str:
        """Return a series' occurrence link with the key's place marked (see :func:`fill_key`)."""
        return self._series.replace(_ID_SLOT, public_id)

    def of(self, occurrence: Occurrence) -> str:
        appointment = occurrence.appointment
        if not appointment.recurring:
            return self._single.replace(_ID_SLOT, appointment.public_id)
        return fill_key(self.series_pattern(appointment.public_id), occurrence.key)


def fill_key(pattern: str, key: str) -> str:
    return pattern.replace(_KEY_SLOT, key)


def occurrence_links(circle: Any) -> OccurrenceLinks:
    """Return the circle's link patterns, made once per request."""
    made = g.setdefault("_occurrence_links", {})
    links = made.get(circle.public_id)
    if links is None:
        links = made[circle.public_id] = OccurrenceLinks(circle)
    return links


def occurrence_url(circle: Any, occurrence: Occurrence) -> str:
    """Return the page of one occurrence: the appointment's own page when it does not repeat."""
    return occurrence_links(circle).of(occurrence)
