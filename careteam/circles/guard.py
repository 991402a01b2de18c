"""What the circle guard reads: the signed-in person, the circle, their membership of it and its
plugin switches -- in one statement.

:func:`careteam.permissions.require_capability` decides who may see a circle page but knows no
models (features import it, not the other way round), so the circles package hands it
:func:`load_circle_membership` when the app is set up
(:func:`careteam.permissions.use_membership_loader`).  Every circle page needs the session's
user and these rows, and the URL names the circle before either is read, so the guard calls
this loader first: one statement reads the session named by the browser's cookie, its user, the
circle, the membership and the switches, and the user becomes Flask-Login's ``current_user``
(:func:`careteam.auth.login.make_current_user`).  Without a live session token in the cookie
(signed out, or signed in by a remember cookie) Flask-Login loads the user its own way and the
membership is read on its own.  The switches are kept for the request so
:func:`careteam.plugins.enablement.enabled_plugins` does not ask again.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import Row, and_, bindparam, select

from ..auth.login import make_current_user, session_token
from ..auth.models import User, UserSession
from ..auth.sessions import live_session_user
from ..db.prebuilt import prebuilt
from ..db.tokens import token_hash
from ..extensions import db
from ..plugins.enablement import remember_enabled
from ..plugins.models import CirclePlugin
from .models import Circle, Membership


def load_circle_membership(circle_public_id: str) -> tuple[Circle, Membership] | None:
    """Return the circle and the signed-in person's membership of it, or None for an outsider
    or for nobody signed in."""
    token = session_token()
    if token is not None:
        rows = db.session.execute(
            prebuilt("circle guard with session", _session_and_membership_statement),
            {"token_hash": token_hash(token), "circle_public_id": circle_public_id},
        ).all()
        user = live_session_user(rows[0][0], rows[0][1], token) if rows else None
        if user is not None:
            make_current_user(user)
            return _found([row[2:] for row in rows])
    if not current_user.is_authenticated:
        return None
    switched_on = and_(CirclePlugin.circle_id == Circle.id, CirclePlugin.enabled.is_(True))
    rows = db.session.execute(
        select(Circle, Membership, CirclePlugin.plugin)
        .join(Membership, Membership.circle_id == Circle.id)
        .outerjoin(CirclePlugin, switched_on)
        .where(Circle.public_id == circle_public_id, Membership.user_id == current_user.id)
    ).all()
    return _found(list(rows))


def _found(rows: list[Row[Any]] | list[tuple[Any, ...]]) -> tuple[Circle, Membership] | None:
    """Turn (circle, membership, plugin) rows into the guard's answer and keep the switches."""
    if not rows or rows[0][1] is None:
        return None
    circle, membership = rows[0][0], rows[0][1]
    remember_enabled(circle.id, [row[2] for row in rows if row[2] is not None])
    return circle, membership


def _session_and_membership_statement() -> Any:
    """The session named by a token and its user, with the circle, the membership and the
    plugins switched on there (one row per plugin); circle and membership are NULL for an
    outsider.  Prebuilt (:mod:`careteam.db.prebuilt`): every circle page runs it, and building
    and keying its joins took more than a tenth of a small page's time."""
    member_of_it = and_(Membership.circle_id == Circle.id, Membership.user_id == User.id)
    switched_on = and_(
        CirclePlugin.circle_id == Membership.circle_id, CirclePlugin.enabled.is_(True)
    )
    return (
        select(UserSession, User, Circle, Membership, CirclePlugin.plugin)
        .join(User, User.id == UserSession.user_id)
        .outerjoin(Circle, Circle.public_id == bindparam("circle_public_id"))
        .outerjoin(Membership, member_of_it)
        .outerjoin(CirclePlugin, switched_on)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )
