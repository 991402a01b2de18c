"""Invitations into a circle: by email or by a copied link; claims decided by coordinators."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for

from ..permissions import member_can
from ..registries import WhatsNextItem, add_whats_next, register_action_label
from .accept_views import bp as invite_bp
from .service import claims_waiting
from .views import bp

AUDIT_LABELS = {
    "invitation.created": "Created an invitation",
    "invitation.sent": "Sent an invitation email",
    "invitation.revoked": "Revoked an invitation",
    "invitation.accepted": "Accepted an invitation",
    "invitation.claimed": "Asked to join with an invitation sent to another address",
    "invitation.approved": "Approved a request to join",
    "invitation.declined": "Declined a request to join",
}


def claims_to_decide(circle: Any = None, membership: Any = None, **_: Any) -> list[Any]:
    """Tell the people who manage the circle that requests to join wait for them."""
    if circle is None or circle.archived or not member_can(membership, "circle.manage"):
        return []
    count = claims_waiting(circle.id)
    if not count:
        return []
    title = (
        "1 request to join waits for your decision"
        if count == 1
        else f"{count} requests to join wait for your decision"
    )
    url = url_for("invitations.manage", circle_id=circle.public_id)
    return [WhatsNextItem(title=title, url=url, kind="invitation")]


def init_invitations(app: Flask) -> None:
    """Register the invitation pages, audit labels and the "requests to join" reminder."""
    app.register_blueprint(bp)
    app.register_blueprint(invite_bp)
    for action, label in AUDIT_LABELS.items():
        register_action_label(app, action, label)
    add_whats_next(app, claims_to_decide)
