"""Import every core model so SQLAlchemy's metadata (and Alembic) sees all tables."""

from .appointments.models import (
    Appointment,
    CalendarFeed,
    HelpSignup,
    HelpSlot,
    OccurrenceChange,
    ReminderClaim,
    ReminderPreference,
)
from .audit import AuditEvent
from .auth.models import AccountToken, LoginThrottle, User, UserSession
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
from .plugins.models import CirclePlugin, PluginReminderClaim

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
    "ReminderClaim",
    "ReminderPreference",
    "User",
    "UserSession",
]
