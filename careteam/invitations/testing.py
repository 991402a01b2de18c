"""Test helpers for invitations, and the URL-argument factories for route tests.

Importing this module registers ``invitation_id`` for the permission matrix and cross-circle
probes: an open link invitation for revoking, and an email invitation that another account has
asked to use (a claim) for approving and declining.
"""

from __future__ import annotations

import html
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from ..auth.models import User
from ..auth.passwords import hash_password
from ..circles.models import Circle
from ..circles.testing import register_url_argument
from ..db.clock import utcnow
from ..extensions import db
from ..roles import Role
from ..testing import links_in
from . import service
from .models import Invitation, Kind


def make_invitation(
    app: Flask,
    circle_id: int,
    inviter_id: int,
    *,
    kind: str = "link",
    role: str = Role.FAMILY.value,
    email: str | None = None,
    claimed_by_id: int | None = None,
) -> tuple[str, str]:
    """Create an invitation through the service (no mail); return (public id, raw token)."""
    with app.app_context():
        circle = db.session.get(Circle, circle_id)
        inviter = db.session.get(User, inviter_id)
        if kind == Kind.LINK:
            invitation, raw = service.create_link(circle, inviter, role=role)
        else:
            invitation, raw = service.create_invitation(
                circle,
                inviter,
                Kind.EMAIL,
                Role(role),
                service.EMAIL_LIFETIME,
                email=email or f"invited-{secrets.token_hex(4)}@example.org",
            )
        if claimed_by_id is not None:
            row = db.session.get(Invitation, invitation.id)
            row.claimed_by_id = claimed_by_id
            row.claimed_at = row.created_at
        db.session.commit()
        return invitation.public_id, raw


def make_outsider(app: Flask, display_name: str = "Someone Else") -> int:
    """Create a verified account that belongs to no circle; return its id."""
    with app.app_context():
        user = User(
            email=f"outsider-{secrets.token_hex(4)}@example.org",
            display_name=display_name,
            password_hash=hash_password(secrets.token_urlsafe(16)),
            email_verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.commit()
        return user.id


def _open_link(app: Flask, setup: Any, _role: str | None) -> str:
    return make_invitation(app, setup.id, setup.people[Role.COORDINATOR.value].id)[0]


def _claimed(app: Flask, setup: Any, _role: str | None) -> str:
    claimant = make_outsider(app)
    return make_invitation(
        app, setup.id, setup.people[Role.COORDINATOR.value].id, kind="email", claimed_by_id=claimant
    )[0]


register_url_argument("invitation_id", _open_link)
register_url_argument("invitation_id", _claimed, endpoint="invitations.approve")
register_url_argument("invitation_id", _claimed, endpoint="invitations.decline")


# --- request helpers -------------------------------------------------------------------------


def manage_url(setup: Any) -> str:
    return f"/circles/{setup.public_id}/invitations"


def send_invitation(client: Any, setup: Any, email: str, role: str = "family", message: str = ""):
    """Invite ``email`` through the invitations page, as the signed-in ``client``."""
    data = {"email": email, "role": role, "message": message}
    return client.post_form(manage_url(setup), data)


def make_link(client: Any, setup: Any, role: str = "family") -> str:
    """Create a copy link through the page; return its path (``/invite/<token>``)."""
    response = client.post_form(manage_url(setup) + "/link", {"link_role": role})
    if response.status_code != 200:
        raise AssertionError(f"link not created: {response.status_code}")
    match = re.search(r'id="invitation-link"[^>]* value="([^"]+)"', response.get_data(as_text=True))
    if match is None:
        raise AssertionError("no invitation link on the page")
    return urlsplit(html.unescape(match.group(1))).path


def invite_path(message: Any) -> str:
    """Return the ``/invite/<token>`` path from an invitation email."""
    links = [link for link in links_in(message) if "/invite/" in link]
    if len(links) != 1:
        raise AssertionError(f"expected one invitation link, found {links}")
    return urlsplit(links[0]).path
