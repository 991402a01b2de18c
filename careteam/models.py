"""Import every core model so SQLAlchemy's metadata (and Alembic) sees all tables."""

from .appointments.models import (
    Appointment,
    HelpSignup,
    HelpSlot,
    OccurrenceChange,
)
from .audit import AuditEvent
from .auth.models import AccountToken, LoginThrottle, User, UserSession
from .calendar_feeds.models import CalendarFeed
from .circles.models import Circle, Membership
from .invitations.models import Invitation
from .notes.models import (
    Note,
    NoteAcknowledgement,
    NoteComment,
    NoteRead,
    NoteRevision,
    NoteTag,
)
from .outbox.models import OutboxMessage
from .plugins.models import CirclePlugin, PluginReminderClaim, PluginRemoval
from .reminders.models import ReminderClaim, ReminderPreference

__all__ = [
    "AccountToken",
    "Appointment",
    "AuditEvent",
    "CalendarFeed",
    "Circle",
    "CirclePlugin",
    "HelpSignup",
    "HelpSlot",
    "Invitation",
    "LoginThrottle",
    "Membership",
    "Note",
    "NoteAcknowledgement",
    "NoteComment",
    "NoteRead",
    "NoteRevision",
    "NoteTag",
    "OccurrenceChange",
    "OutboxMessage",
    "PluginReminderClaim",
    "PluginRemoval",
    "ReminderClaim",
    "ReminderPreference",
    "User",
    "UserSession",
]
