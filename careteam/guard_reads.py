"""What the circle guard reads: the circle, the member's membership and the plugins switched on
there, in one query -- on circle pages in the same query as the session and its user.

Every circle page needs the signed-in user and the guard's rows, and the URL names the circle
before any of it is read, so Flask-Login's user loader reads both at once (one round trip
instead of two: on PostgreSQL here each costs ~0.35 ms) and keeps the guard's part for the
request.  :func:`careteam.permissions.require_capability` still decides everything.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from flask import abort, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import and_, bindparam, select

from .extensions import db
from .tokens import token_hash

# The URL prefix of every page inside a circle (careteam.permissions.CircleBlueprint).
CIRCLE_URL_PREFIX = "/circles/<circle_id>"
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def plausible_ids(circle_id: str, values: dict[str, Any]) -> bool:
    """Return False for ids no row can have, before they reach the database.

    PostgreSQL rejects NUL characters in text parameters with an error, so an id such as
    ``%00`` must end as a 404 here rather than a 500 in whichever query sees it first.
    """
    if not _PUBLIC_ID.fullmatch(circle_id):
        return False
    return not any(
        isinstance(value, str) and any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
        for value in values.values()
    )


@functools.cache
def _membership_statement() -> Any:
    """The guard's one query: the circle, the member's membership, and the plugins switched on
    there (one row per plugin, or one row with no plugin).  Built once: building and keying a
    statement cost more than running it."""
    from .circles.models import Circle, Membership
    from .plugins.models import CirclePlugin

    switched_on = and_(CirclePlugin.circle_id == Circle.id, CirclePlugin.enabled.is_(True))
    return (
        select(Circle, Membership, CirclePlugin.plugin)
        .join(Membership, Membership.circle_id == Circle.id)
        .outerjoin(CirclePlugin, switched_on)
        .where(
            Circle.public_id == bindparam("circle_public_id"),
            Membership.user_id == bindparam("user_id"),
        )
    )


@functools.cache
def _session_and_guard_statement() -> Any:
    """The session named by a token and its user, with the guard's rows for one circle: one
    row per plugin switched on there, circle and membership NULL for an outsider."""
    from .auth.models import User, UserSession
    from .circles.models import Circle, Membership
    from .plugins.models import CirclePlugin

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


def circle_page_id() -> str | None:
    """Return the circle id in this request's URL when it is a page inside a circle and its ids
    are plausible, else None."""
    if not has_request_context() or request.url_rule is None:
        return None
    if not request.url_rule.rule.startswith(CIRCLE_URL_PREFIX):
        return None
    values = dict(request.view_args or {})
    circle_id = values.pop("circle_id", None)
    if not isinstance(circle_id, str) or not plausible_ids(circle_id, values):
        return None
    return circle_id


def load_user_for_circle_page(token: str, circle_public_id: str) -> Any:
    """Return the user of the live session named by ``token`` (None if it has ended), reading
    the guard's rows for ``circle_public_id`` in the same query and keeping them for the guard.
    """
    from .auth.sessions import live_session_user

    rows = db.session.execute(
        _session_and_guard_statement(),
        {"token_hash": token_hash(token), "circle_public_id": circle_public_id},
    ).all()
    if not rows:
        return None
    sess, user, circle, membership = rows[0][:4]
    user = live_session_user(sess, user, token)
    if user is not None:
        plugins = [row[4] for row in rows if row[4] is not None]
        g._careteam_guard_rows = (circle_public_id, user.id, circle, membership, plugins)
    return user


def load_circle_membership(circle_public_id: str) -> tuple[Any, Any]:
    """Return (circle, membership of the current user), or abort 404 for outsiders.

    The circle's plugin switches come in the same query and are kept for the request (see
    :func:`careteam.plugins.enablement.enabled_plugins`).
    """
    from .plugins.enablement import remember_enabled

    read = g.pop("_careteam_guard_rows", None)
    if read is not None and read[:2] == (circle_public_id, current_user.id):
        _, _, circle, membership, plugins = read
    else:
        rows = db.session.execute(
            _membership_statement(),
            {"circle_public_id": circle_public_id, "user_id": current_user.id},
        ).all()
        circle, membership = (rows[0][0], rows[0][1]) if rows else (None, None)
        plugins = [row[2] for row in rows if row[2] is not None]
    if membership is None:
        abort(404)
    remember_enabled(circle.id, plugins)
    return circle, membership
