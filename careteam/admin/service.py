"""Site administration rules: administrators, the account list, switching accounts off and on.

A site administrator manages accounts only.  Nothing here reads or returns care data (circles,
notes, appointments): those stay behind circle membership, which site admins do not get.
Functions leave committing to their caller unless they say otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from .. import audit
from ..auth.models import User
from ..auth.passwords import hash_password
from ..auth.service import AccountError, check_new_password, find_user_by_email, normalise_email
from ..auth.sessions import end_other_sessions
from ..db.clock import utcnow
from ..extensions import db

USERS_PAGE = 50
# Public ids are URL-safe base64; anything else cannot name a user (and a NUL byte would make
# PostgreSQL refuse the query instead of finding nothing).
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")


class AdminError(ValueError):
    """A rule refused the request; the message is for the person who asked."""


def valid_public_id(value: str | None) -> bool:
    return bool(value) and _PUBLIC_ID.fullmatch(value or "") is not None


def create_admin(email: str, display_name: str, password: str) -> tuple[User, bool]:
    """Create a verified site administrator, or promote the existing account; commits.

    An existing account keeps its password: promoting is not a way to reset one.
    """
    email = normalise_email(email)
    if "@" not in email:
        raise AdminError("Give a valid email address.")
    user = find_user_by_email(email)
    created = user is None
    if user is None:
        try:
            check_new_password(password, email, display_name)
        except AccountError as error:
            raise AdminError(str(error)) from error
        user = User(
            email=email,
            display_name=display_name,
            password_hash=hash_password(password),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
    if not user.is_site_admin:
        user.is_site_admin = True
        audit.record(
            "admin.granted", details={"created": created, "via": "cli"}, **user.audit_subject
        )
    db.session.commit()
    return user, created


# --- the account list ------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    """One account as the site admin list shows it: account fields only."""

    public_id: str
    display_name: str
    email: str
    verified: bool
    active: bool
    is_site_admin: bool
    created_at: datetime


@dataclass(frozen=True)
class UserPage:
    rows: list[UserRow]
    next_cursor: str | None


def users_page(search: str = "", after: str | None = None, limit: int = USERS_PAGE) -> UserPage:
    """Return one page of accounts in creation order, optionally those whose email or name
    starts with ``search``; ``after`` is the public id of the last account already shown.

    One query per page, however many accounts there are: the cursor is resolved inside it.
    """
    stmt = select(
        User.id,
        User.public_id,
        User.display_name,
        User.email,
        User.email_verified_at,
        User.active,
        User.is_site_admin,
        User.created_at,
    )
    prefix = search.strip().lower()
    if prefix:
        stmt = stmt.where(
            or_(
                func.lower(User.email).startswith(prefix, autoescape=True),
                func.lower(User.display_name).startswith(prefix, autoescape=True),
            )
        )
    if after is not None:
        if not valid_public_id(after):
            raise AdminError("That page link is not valid.")
        # An unknown cursor compares with NULL and so yields an empty page, not an error.
        last_id = select(User.id).where(User.public_id == after).scalar_subquery()
        stmt = stmt.where(User.id > last_id)
    rows = list(db.session.execute(stmt.order_by(User.id).limit(limit + 1)).all())
    next_cursor = rows[limit - 1].public_id if len(rows) > limit else None
    return UserPage(
        rows=[
            UserRow(
                public_id=row.public_id,
                display_name=row.display_name,
                email=row.email,
                verified=row.email_verified_at is not None,
                active=row.active,
                is_site_admin=row.is_site_admin,
                created_at=row.created_at,
            )
            for row in rows[:limit]
        ],
        next_cursor=next_cursor,
    )


def find_user(public_id: str) -> User | None:
    """Return the account with this public id, or None."""
    if not valid_public_id(public_id):
        return None
    return db.session.scalar(select(User).where(User.public_id == public_id))


# --- switching accounts off and on -------------------------------------------------------------


def deactivate_user(admin: User, user: User) -> bool:
    """Switch an account off and end every session it has; False if it already was off."""
    if admin.id == user.id:
        raise AdminError("You cannot switch off your own account.")
    if not user.active:
        return False
    user.active = False
    ended = end_other_sessions(user, keep_current=False)
    audit.record(
        "admin.user_deactivated",
        actor_id=admin.id,
        details={"sessions_ended": ended},
        **user.audit_subject,
    )
    return True


def reactivate_user(admin: User, user: User) -> bool:
    """Let a switched-off account sign in again; False if it already could."""
    if user.active:
        return False
    user.active = True
    audit.record("admin.user_reactivated", actor_id=admin.id, **user.audit_subject)
    return True
