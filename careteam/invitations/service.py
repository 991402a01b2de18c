"""Invitation rules for the people who run a circle: invite, revoke, decide on claims, list.

Rules enforced here (not only in the forms, so a hand-made request meets them too):
- a copied link can never carry a role that manages the circle (coordinator, care recipient):
  it travels by text message and works for whoever opens it first, and a care recipient's
  place could not even be taken back by the coordinators;
- nobody is invited as care recipient when the circle already has one;
- only the hash of an invitation's token is stored; audit rows never hold the token.
Each function records its audit rows in the caller's transaction; the caller commits.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.orm import aliased

from .. import audit, mail
from ..auth.models import User
from ..auth.service import external_url, normalise_email
from ..circles.membership import add_member, has_care_recipient, lock_circle
from ..circles.models import Circle, Membership
from ..db.clock import utcnow
from ..db.tokens import new_token, token_hash
from ..extensions import db
from ..permissions import role_has
from ..refusals import Refusal
from ..roles import ROLE_LABELS, Role
from .models import Invitation, Kind

log = logging.getLogger(__name__)

EMAIL_LIFETIME = timedelta(days=7)
LINK_LIFETIME = timedelta(hours=48)
MAX_MESSAGE = 1000


class InvitationError(Refusal):
    """A rule about invitations refused the request."""


class MailNotSent(RuntimeError):
    """The invitation email could not be handed to the mail server."""


# --- roles -----------------------------------------------------------------------------------


def link_roles() -> list[Role]:
    """Return the roles a copied link may carry: none that manages the circle."""
    return [role for role in Role if not role_has(role, "circle.manage")]


def email_roles(circle: Circle) -> list[Role]:
    """Return the roles an emailed invitation to ``circle`` may carry."""
    taken = has_care_recipient(circle.id)
    return [role for role in Role if not (role == Role.CARE_RECIPIENT and taken)]


def role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def _check_role(circle: Circle, role: str, allowed: list[Role], field: str) -> Role:
    try:
        chosen = Role(role)
    except ValueError:
        raise InvitationError("Choose one of the roles offered.", field=field) from None
    if chosen == Role.CARE_RECIPIENT and has_care_recipient(circle.id):
        raise InvitationError("This circle already has a care recipient.", field=field)
    if chosen not in allowed:
        raise InvitationError(
            "A copied link cannot make someone a coordinator or the care recipient. "
            "Invite them by email instead.",
            field=field,
        )
    return chosen


# --- creating --------------------------------------------------------------------------------


def create_invitation(
    circle: Circle, inviter: User, kind: Kind, role: Role, lifetime: timedelta, **fields: Any
) -> tuple[Invitation, str]:
    """Store a new invitation (checked by the caller) and audit it; return it and its raw token."""
    now = utcnow()
    raw = new_token()
    invitation = Invitation(
        circle_id=circle.id,
        kind=kind,
        role=role,
        token_hash=token_hash(raw),
        created_by_id=inviter.id,
        created_at=now,
        expires_at=now + lifetime,
        **fields,
    )
    db.session.add(invitation)
    db.session.flush()
    details: dict[str, Any] = {"kind": str(kind), "role": str(role)}
    if invitation.email:
        details["email"] = invitation.email
    audit.record(
        "invitation.created", actor_id=inviter.id, details=details, **invitation.audit_subject
    )
    return invitation, raw


def invite_by_email(
    circle: Circle, inviter: User, *, email: str, role: str, message: str = ""
) -> Invitation:
    """Create an email invitation and queue its email; raise MailNotSent if the message cannot
    be built for that address (delivery itself happens after the commit, retried by the
    outbox)."""
    email = normalise_email(email)
    chosen = _check_role(circle, role, email_roles(circle), "role")
    if len(message) > MAX_MESSAGE:
        raise InvitationError(f"Keep the message under {MAX_MESSAGE:,} characters.", "message")
    message = message if message.strip() else ""
    if _member_with_email(circle.id, email):
        raise InvitationError("Someone with this email address is already in the circle.", "email")
    if _pending_for_email(circle.id, email) is not None:
        raise InvitationError(
            "This address already has an invitation waiting. Revoke it first to send a new one.",
            field="email",
        )
    invitation, raw = create_invitation(
        circle, inviter, Kind.EMAIL, chosen, EMAIL_LIFETIME, email=email, message=message
    )
    try:
        mail.send_template(
            email,
            f"{_one_line(inviter.display_name)} invited you to a care circle on CareTeam",
            "invitation",
            circle_name=circle.name,
            inviter_name=inviter.display_name,
            role=role_label(chosen),
            message=message,
            link=external_url("invite.show", token=raw),
            expires=format_expiry(invitation.expires_at, circle.time_zone),
        )
    except (smtplib.SMTPException, OSError, ValueError) as error:
        # ValueError: addresses the mail library or server cannot carry (e.g. non-ASCII).
        log.warning("Could not send an invitation email: %s", type(error).__name__)
        raise MailNotSent from error
    audit.record(
        "invitation.sent", actor_id=inviter.id, details={"email": email}, **invitation.audit_subject
    )
    return invitation


def create_link(circle: Circle, inviter: User, *, role: str) -> tuple[Invitation, str]:
    """Create a single-use link invitation; return it with the raw token (shown once)."""
    chosen = _check_role(circle, role, link_roles(), "link_role")
    return create_invitation(circle, inviter, Kind.LINK, chosen, LINK_LIFETIME)


def _one_line(text: str) -> str:
    # Names never hold line breaks (forms refuse them); this keeps a header safe regardless.
    return " ".join(text.split())


def format_expiry(when: datetime, time_zone: str) -> str:
    """Say when an invitation expires, in the circle's time zone."""
    try:
        local = when.astimezone(ZoneInfo(time_zone))
    except (KeyError, ValueError):
        local, time_zone = when, "UTC"
    return local.strftime("%-d %B %Y at %H:%M") + f" ({time_zone.replace('_', ' ')})"


def _member_with_email(circle_id: int, email: str) -> bool:
    stmt = (
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.circle_id == circle_id, User.email == email)
    )
    return db.session.scalar(stmt) is not None


def _pending_for_email(circle_id: int, email: str) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(
            Invitation.circle_id == circle_id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )


# --- deciding --------------------------------------------------------------------------------


def invitation_in_circle(circle: Circle, public_id: str) -> Invitation | None:
    """Return the circle's invitation with this public id (None for other circles' ids)."""
    return db.session.scalar(
        select(Invitation).where(
            Invitation.circle_id == circle.id, Invitation.public_id == public_id
        )
    )


def change_open(invitation: Invitation, *conditions: Any, **values: Any) -> bool:
    """Change an invitation that is still open (not accepted, not revoked, and ``conditions``)
    once, even when two requests race for it; return whether this request changed it."""
    result = db.session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            *conditions,
        )
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(invitation)
    return result.rowcount == 1


def revoke(circle: Circle, invitation: Invitation, actor: User) -> None:
    """Make an invitation unusable; revoking one that is already closed is refused."""
    if not change_open(invitation, revoked_at=utcnow(), revoked_by_id=actor.id):
        raise InvitationError("This invitation was already used or revoked.")
    audit.record(
        "invitation.revoked",
        actor_id=actor.id,
        details={"kind": invitation.kind, "role": invitation.role},
        **invitation.audit_subject,
    )


def approve_claim(circle: Circle, invitation: Invitation, actor: User) -> Membership:
    """Let the account that asked to use an email invitation join with its role."""
    claimant_id = invitation.claimed_by_id
    claimant = db.session.get(User, claimant_id) if claimant_id is not None else None
    if claimant is None or not invitation.claim_pending:
        raise InvitationError("Nobody is waiting for a decision on this invitation.")
    lock_circle(circle.id)
    if invitation.role == Role.CARE_RECIPIENT and has_care_recipient(circle.id):
        raise InvitationError("This circle already has a care recipient.")
    pending = (Invitation.claimed_by_id == claimant.id, Invitation.claim_declined_at.is_(None))
    now = utcnow()
    if not change_open(
        invitation, *pending, accepted_at=now, accepted_by_id=claimant.id, decided_by_id=actor.id
    ):
        raise InvitationError("This invitation was already used or revoked.")
    audit.record(
        "invitation.approved",
        actor_id=actor.id,
        details={"role": invitation.role, "user": claimant.public_id},
        **invitation.audit_subject,
    )
    member = add_member(circle, claimant, invitation.role, via="invitation")
    _notify_approved(circle, invitation, claimant)
    return member


def decline_claim(circle: Circle, invitation: Invitation, actor: User) -> None:
    """Refuse a claim; the invitation stays usable by its invited address only."""
    if not invitation.claim_pending or not change_open(
        invitation,
        Invitation.claimed_at.is_not(None),
        Invitation.claim_declined_at.is_(None),
        claim_declined_at=utcnow(),
        decided_by_id=actor.id,
    ):
        raise InvitationError("Nobody is waiting for a decision on this invitation.")
    claimant = db.session.scalar(select(User.public_id).where(User.id == invitation.claimed_by_id))
    audit.record(
        "invitation.declined",
        actor_id=actor.id,
        details={"role": invitation.role, "user": claimant or ""},
        **invitation.audit_subject,
    )


def _notify_approved(circle: Circle, invitation: Invitation, claimant: User) -> None:
    # A courtesy: the approval stands even if the mail cannot go out.
    try:
        mail.send_template(
            claimant.email,
            "You can now join your care circle on CareTeam",
            "invitation_approved",
            name=claimant.display_name,
            circle_name=circle.name,
            role=role_label(invitation.role),
            link=circle_link(circle),
        )
    except (smtplib.SMTPException, OSError, ValueError):
        log.warning("Could not send the invitation approval email")


def circle_link(circle: Circle) -> str:
    """Return the emailed address of the circle (its home page, or the dashboard)."""
    if "circles.home" in current_app.view_functions:
        return external_url("circles.home", circle_id=circle.public_id)
    return external_url("pages.dashboard")


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManageLists:
    pending: list[Row[Any]]
    claims: list[Row[Any]]


def manage_lists(circle: Circle) -> ManageLists:
    """Return the circle's open invitations and the claims waiting for a decision (one query)."""
    inviter = aliased(User)
    claimant = aliased(User)
    stmt = (
        select(
            Invitation,
            inviter.display_name.label("inviter_name"),
            claimant.display_name.label("claimant_name"),
            claimant.email.label("claimant_email"),
        )
        .outerjoin(inviter, inviter.id == Invitation.created_by_id)
        .outerjoin(claimant, claimant.id == Invitation.claimed_by_id)
        .where(
            Invitation.circle_id == circle.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            or_(Invitation.expires_at > utcnow(), _claim_pending()),
        )
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    pending, claims = [], []
    for row in db.session.execute(stmt):
        (claims if row[0].claim_pending else pending).append(row)
    return ManageLists(pending, claims)


def _claim_pending() -> Any:
    return and_(Invitation.claimed_at.is_not(None), Invitation.claim_declined_at.is_(None))


def claims_waiting(circle_id: int) -> int:
    """Count the claims waiting for a coordinator's decision in a circle."""
    stmt = (
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.circle_id == circle_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            _claim_pending(),
        )
    )
    return db.session.scalar(stmt) or 0
