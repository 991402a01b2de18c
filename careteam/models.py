"""Import every core model so SQLAlchemy's metadata (and Alembic) sees all tables."""

from .audit import AuditEvent
from .auth.models import AccountToken, LoginThrottle, User, UserSession

__all__ = ["AccountToken", "AuditEvent", "LoginThrottle", "User", "UserSession"]
