"""Accounts, their sessions, one-time tokens and the failed-login counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..db.clock import utcnow
from ..db.types import UTCDateTime, new_public_id
from ..extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    email_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    email_activity: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_site_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Set by the session loader: the session this request authenticated with.
    current_session = None  # UserSession | None, not a column
    # Set at login so Flask-Login stores the session token, not the user id, in the cookies.
    pending_session_token = None  # str | None, not a column

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def audit_subject(self) -> dict[str, Any]:
        """This account as an audit row names it (see careteam.audit)."""
        return audit.subject("user", self.public_id)

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session and remember cookies: the session token.

        Binding both cookies to a server-side session row is what lets logout, "log out
        everywhere" and a password change really end a session.
        """
        if self.pending_session_token:
            return self.pending_session_token
        raise RuntimeError("get_id() called on a user with no session token")


class UserSession(db.Model):
    """One signed-in browser. The cookie holds the raw token; only its hash is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip_address: Mapped[str] = mapped_column(String(64), default="")


class AccountToken(db.Model):
    """A single-use, expiring token mailed to a user (email verification, reset, email change)."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    new_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginThrottle(db.Model):
    """Failed sign-ins under one counter key, known addresses or not, so both get the same answer.

    ``email_hash`` (named when only emails were counted) holds the hash of the counter's key:
    (email, client address), client address, or email -- see :mod:`careteam.auth.throttle`.
    """

    __tablename__ = "login_throttles"

    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
