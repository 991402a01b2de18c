"""Import every core model so SQLAlchemy's metadata (and Alembic) sees all tables."""

from .audit import AuditEvent
from .auth.models import AccountToken, LoginThrottle, User, UserSession
from .circles.models import Circle, Membership
from .notes.models import (
    Note,
    NoteAcknowledgement,
    NoteComment,
    NoteRead,
    NoteRevision,
    NoteTag,
)

__all__ = [
    "AccountToken",
    "AuditEvent",
    "Circle",
    "LoginThrottle",
    "Membership",
    "Note",
    "NoteAcknowledgement",
    "NoteComment",
    "NoteRead",
    "NoteRevision",
    "NoteTag",
    "User",
    "UserSession",
]
