"""Links to occurrences, built from per-request patterns: calendar pages link hundreds of them."""

from __future__ import annotations

from typing import Any

from ..links import repeated_url
from .occurrences import Occurrence

# Where an occurrence's key goes in a series' link.  Keys are digits and "T" only, so the
# marker is replaced as it is, and what comes out is what url_for would give.
_KEY_SLOT = "OCCURRENCEKEY"


def series_url_pattern(circle: Any, public_id: str) -> str:
    """Return the link of the series' occurrences with the key's place marked (see fill_key)."""
    return repeated_url(
        "appointments.occurrence",
        "appointment_id",
        public_id,
        circle_id=circle.public_id,
        occurrence=_KEY_SLOT,
    )


def fill_key(pattern: str, key: str) -> str:
    return pattern.replace(_KEY_SLOT, key)


def occurrence_url(circle: Any, occurrence: Occurrence) -> str:
    """Return the page of one occurrence: the appointment's own page when it does not repeat."""
    appointment = occurrence.appointment
    if not appointment.recurring:
        return repeated_url(
            "appointments.detail",
            "appointment_id",
            appointment.public_id,
            circle_id=circle.public_id,
        )
    return fill_key(series_url_pattern(circle, appointment.public_id), occurrence.key)
