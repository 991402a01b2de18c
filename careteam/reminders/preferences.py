"""Whether and when each member is reminded: per circle, and one switch for all circles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import audit
from ..auth.models import User
from ..extensions import db
from .models import ReminderPreference

DEFAULT_OFFSETS = (1440,)
ALLOWED_OFFSETS = (15, 60, 120, 1440, 2880, 10080)


@dataclass(frozen=True)
class Preference:
    enabled: bool
    offsets: tuple[int, ...]


def parse_offsets(text: str | None) -> tuple[int, ...]:
    values = []
    for part in (text or "").split(","):
        if part.strip().isdigit() and int(part) in ALLOWED_OFFSETS:
            values.append(int(part))
    return tuple(sorted(set(values)))


def preference_of(membership_id: int) -> Preference:
    row = db.session.scalar(
        select(ReminderPreference).where(ReminderPreference.membership_id == membership_id)
    )
    if row is None:
        return Preference(True, DEFAULT_OFFSETS)
    return Preference(row.enabled, parse_offsets(row.offsets))


def set_preference(membership: Any, enabled: bool, offsets: list[int]) -> None:
    """Save a member's reminder choices for one circle."""
    chosen = tuple(sorted({o for o in offsets if o in ALLOWED_OFFSETS}))
    row = db.session.scalar(
        select(ReminderPreference).where(ReminderPreference.membership_id == membership.id)
    )
    if row is None:
        row = ReminderPreference(membership_id=membership.id)
        db.session.add(row)
    row.enabled = enabled
    row.offsets = ",".join(str(o) for o in chosen)
    audit.record(
        "reminders.settings_changed",
        actor_id=membership.user_id,
        details={"enabled": enabled, "offsets": list(chosen)},
        **membership.audit_subject,
    )


def set_email_reminders(user: User, enabled: bool) -> None:
    """Switch email reminders on or off for all of ``user``'s circles."""
    user.email_reminders = enabled
    audit.record(
        "account.reminders_changed",
        actor_id=user.id,
        details={"email_reminders": enabled},
        **user.audit_subject,
    )
