"""The reminder settings forms: per circle, and the switch for all of a person's circles."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, ValidationError

from ..appointments.forms import CheckboxesField
from ..web.forms import CareForm, choices

REMINDER_CHOICES = (
    (15, "15 minutes before"),
    (60, "1 hour before"),
    (120, "2 hours before"),
    (1440, "1 day before"),
    (2880, "2 days before"),
    (10080, "1 week before"),
)


class ReminderForm(CareForm):
    enabled = BooleanField("Email me reminders for this circle's appointments")
    offsets = CheckboxesField(
        "When to remind me",
        choices=choices((str(m), label) for m, label in REMINDER_CHOICES),
    )

    def validate_offsets(self, field: Any) -> None:
        if self.enabled.data and not field.data:
            raise ValidationError("Choose at least one time, or turn reminders off.")


class AccountRemindersForm(CareForm):
    email_reminders = BooleanField("Send me appointment reminders by email (all my circles)")
