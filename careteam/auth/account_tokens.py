"""Single-use, expiring tokens mailed to users; only their hashes are stored."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, literal, select, update

from ..db.clock import utcnow
from ..db.tokens import new_token, token_hash
from ..db.types import UTCDateTime
from ..extensions import db
from .models import AccountToken, User

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose name, not a secret
CHANGE_EMAIL = "change_email"
# Mailed when the account-wide sign-in lock trips; gets the owner in despite it.
SIGN_IN_LINK = "sign_in_link"


def retire(user_id: int, *purposes: str) -> None:
    """Make every unused token of the user for these purposes (all when none given) unusable."""
    stmt = update(AccountToken).where(
        AccountToken.user_id == user_id, AccountToken.used_at.is_(None)
    )
    if purposes:
        stmt = stmt.where(AccountToken.purpose.in_(purposes))
    db.session.execute(stmt.values(used_at=utcnow()))


def issue(user_id: int, purpose: str, lifetime: timedelta, new_email: str | None = None) -> str:
    """Create a token for ``purpose``, retiring older unused ones; return the raw token."""
    now = utcnow()
    retire(user_id, purpose)
    raw = new_token()
    db.session.add(
        AccountToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash(raw),
            new_email=new_email,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return raw


def peek(raw: str, purpose: str) -> AccountToken | None:
    """Return the live token without using it up (to show a form before acting)."""
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == token_hash(raw), AccountToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def consume(raw: str, purpose: str) -> AccountToken | None:
    """Use up a live token exactly once, even when two requests race for it."""
    token = peek(raw, purpose)
    if token is None:
        return None
    claimed = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    return token if claimed == 1 else None


def holder(token: AccountToken | None) -> User | None:
    """Return the account ``token`` was issued to: None for no token, or an account deleted
    since."""
    return db.session.get(User, token.user_id) if token is not None else None


def issue_for_address(email: str, purpose: str, lifetime: timedelta) -> str:
    """Issue a token for the active account with this (normalised) address, if there is one.

    The statements are the same whether or not such an account exists (an address without one
    matches no row), so the work done -- and the time taken -- says nothing about the address.
    Return the raw token; it is only usable when a row was written.
    """
    now = utcnow()
    account = select(User.id).where(User.email == email, User.active.is_(True))
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id.in_(account.scalar_subquery()),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    )
    raw = new_token()
    db.session.execute(
        insert(AccountToken).from_select(
            ["user_id", "purpose", "token_hash", "created_at", "expires_at"],
            select(
                User.id,
                literal(purpose),
                literal(token_hash(raw)),
                literal(now, UTCDateTime),
                literal(now + lifetime, UTCDateTime),
            ).where(User.email == email, User.active.is_(True)),
        )
    )
    return raw
