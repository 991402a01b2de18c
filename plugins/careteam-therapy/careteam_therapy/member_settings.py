"""A member's own therapy choices: therapy days in their calendar feed, a daily reminder.

Core keeps settings per circle only; these are per member, so the plugin keeps them in its own
table.  Both are off until the member turns them on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careteam.api import db, record_audit

from .models import MemberSetting


def settings_of(circle: Any, user_id: int) -> MemberSetting:
    """The member's settings (a fresh, unsaved row with both off if they never chose)."""
    found = db.session.scalar(
        select(MemberSetting).where(
            MemberSetting.circle_id == circle.id, MemberSetting.user_id == user_id
        )
    )
    return found or MemberSetting(circle_id=circle.id, user_id=user_id, calendar=False,
                                  reminders=False)  # fmt: skip


def save_settings(circle: Any, membership: Any, *, calendar: bool, reminders: bool) -> bool:
    """Save the member's own choices; False when nothing changed.  The caller commits."""
    setting = settings_of(circle, membership.user_id)
    if setting.id is not None and (setting.calendar, setting.reminders) == (calendar, reminders):
        return False
    setting.calendar, setting.reminders = calendar, reminders
    try:
        with db.session.begin_nested():
            db.session.add(setting)
            db.session.flush()
    except IntegrityError:  # a double submit raced in: the other request saved the row
        setting = settings_of(circle, membership.user_id)
        setting.calendar, setting.reminders = calendar, reminders
    record_audit(
        "therapy.settings_changed",
        circle,
        object_type="membership",
        object_id=membership.public_id,
        actor_id=membership.user_id,
        details={"calendar": calendar, "reminders": reminders},
    )
    return True
