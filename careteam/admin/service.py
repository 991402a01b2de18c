"""Site administration rules: creating administrators, deactivating accounts."""

from __future__ import annotations

from ..auth.models import User
from ..auth.passwords import hash_password
from ..auth.service import AccountError, check_new_password, find_user_by_email, normalise_email
from ..clock import utcnow
from ..extensions import db


class AdminError(ValueError):
    pass


def create_admin(email: str, display_name: str, password: str) -> tuple[User, bool]:
    """Create a verified site administrator, or promote the existing account; commits."""
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
    user.is_site_admin = True
    db.session.commit()
    return user, created
