"""Using an invitation: find it by its token, accept it, ask to use someone else's, register.

Every use is single: the invitation row is claimed with a conditional UPDATE (not yet
accepted, not revoked, not expired) and the rowcount decides, so two requests racing for the
same link end with one member.  The caller commits.
"""

from __future__ import annotations

import logging
import smtplib
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audit, mail
from ..auth import service as accounts
from ..auth.models import User
from ..auth.passwords import hash_password
from ..circles.membership import add_member, has_care_recipient, lock_circle, membership_of
from ..circles.models import Circle, Membership
from ..db.clock import utcnow
from ..db.tokens import token_hash
from ..extensions import db
from ..roles import Role
from .models import Invitation, Kind
from .service import InvitationError, change_open, format_expiry, role_label

log = logging.getLogger(__name__)


class InvitationGone(LookupError):
    """The invitation was used, revoked or expired, or never existed."""


class Option(StrEnum):
    """What the person holding the link may do with it."""

    SIGN_IN = "sign_in"  # not signed in: sign in or create an account
    ACCEPT = "accept"
    CLAIM = "claim"  # an email invitation for another address: ask the coordinators
    WAITING = "waiting"  # this account's claim waits for a decision
    MEMBER = "member"  # already in the circle
    GONE = "gone"


def find(raw_token: str) -> tuple[Invitation, Circle] | None:
    """Return the open invitation for a token with its circle (expired ones included)."""
    row = db.session.execute(
        select(Invitation, Circle)
        .join(Circle, Circle.id == Invitation.circle_id)
        .where(Invitation.token_hash == token_hash(raw_token))
    ).first()
    if row is None:
        return None
    invitation, circle = row
    if invitation.accepted_at or invitation.revoked_at or circle.archived:
        return None
    return invitation, circle


def option_for(invitation: Invitation, user: User | None) -> Option:
    """Decide what ``user`` (None when signed out) may do with an open invitation."""
    own_claim = (
        user is not None and invitation.claim_pending and invitation.claimed_by_id == user.id
    )
    if own_claim:
        return Option.WAITING
    if invitation.expires_at <= utcnow():
        return Option.GONE
    if user is None:
        return Option.SIGN_IN
    if membership_of(invitation.circle_id, user.id) is not None:
        return Option.MEMBER
    if invitation.kind == Kind.LINK or _is_invited_address(invitation, user):
        return Option.ACCEPT
    if invitation.claimed_at is not None:
        # Someone else's claim waits, or one was declined: the link is now for its address only.
        return Option.GONE
    return Option.CLAIM


def _is_invited_address(invitation: Invitation, user: User) -> bool:
    return (
        invitation.kind == Kind.EMAIL and accounts.normalise_email(user.email) == invitation.email
    )


def inviter_name(invitation: Invitation) -> str:
    if invitation.created_by_id is None:
        return "A former member"
    name = db.session.scalar(select(User.display_name).where(User.id == invitation.created_by_id))
    return name or "A former member"


def _use(invitation: Invitation, user_id: int | None) -> None:
    """Mark the invitation used (by ``user_id``); raise InvitationGone if another request won."""
    now = utcnow()
    unexpired = Invitation.expires_at > now
    if not change_open(invitation, unexpired, accepted_at=now, accepted_by_id=user_id):
        raise InvitationGone


def accept(invitation: Invitation, circle: Circle, user: User) -> Membership:
    """Join ``circle`` with the invitation's role, using the invitation up."""
    option = option_for(invitation, user)
    if option == Option.MEMBER:
        # Already in: nothing changes, and the link stays for the person it was meant for.
        return add_member(circle, user, invitation.role, via="invitation")
    if option != Option.ACCEPT:
        raise InvitationGone
    _check_care_recipient(invitation, circle)
    _use(invitation, user.id)
    if invitation.kind == Kind.EMAIL and user.email_verified_at is None:
        # The link reached the invited mailbox: that proves the address.
        user.email_verified_at = utcnow()
    _record_accepted(invitation, circle, user)
    return add_member(circle, user, invitation.role, via="invitation")


def _check_care_recipient(invitation: Invitation, circle: Circle) -> None:
    lock_circle(circle.id)
    if invitation.role == Role.CARE_RECIPIENT and has_care_recipient(circle.id):
        raise InvitationError(
            "This circle already has a care recipient, so this invitation cannot be used. "
            "Ask the person who invited you for a new one."
        )


def _record_accepted(invitation: Invitation, circle: Circle, user: User) -> None:
    audit.record(
        "invitation.accepted",
        actor_id=user.id,
        details={"kind": invitation.kind, "role": invitation.role, "user": user.public_id},
        **invitation.audit_subject,
    )


def claim(invitation: Invitation, circle: Circle, user: User) -> None:
    """Ask to use an email invitation sent to another address; a coordinator decides."""
    if option_for(invitation, user) != Option.CLAIM:
        raise InvitationGone
    now = utcnow()
    unclaimed, unexpired = Invitation.claimed_at.is_(None), Invitation.expires_at > now
    if not change_open(invitation, unclaimed, unexpired, claimed_at=now, claimed_by_id=user.id):
        raise InvitationGone
    audit.record(
        "invitation.claimed",
        actor_id=user.id,
        details={"role": invitation.role, "user": user.public_id},
        **invitation.audit_subject,
    )


def notify_inviter_of_claim(invitation: Invitation, circle: Circle, claimant: User) -> None:
    """Tell the person who sent the invitation that someone else asked to use it."""
    inviter = db.session.get(User, invitation.created_by_id) if invitation.created_by_id else None
    if inviter is None or membership_of(circle.id, inviter.id) is None:
        return
    try:
        mail.send_template(
            inviter.email,
            "Someone asked to join your care circle on CareTeam",
            "invitation_claimed",
            name=inviter.display_name,
            circle_name=circle.name,
            claimant_name=claimant.display_name,
            claimant_email=claimant.email,
            invited_email=invitation.email or "",
            role=role_label(invitation.role),
            link=accounts.external_url("invitations.manage", circle_id=circle.public_id),
        )
    except (smtplib.SMTPException, OSError, ValueError):
        log.warning("Could not send the invitation claim email")


def register(
    invitation: Invitation,
    circle: Circle,
    *,
    email: str,
    display_name: str,
    password: str,
    invite_link: str = "",
) -> User:
    """Create an account from an invitation and put it in the circle.

    An emailed invitation fixes the address and proves it, so that account starts verified.
    A link invitation creates an unverified account and mails its confirmation link.  An
    address that already has an account raises ``AccountError("exists")``.  For a link
    invitation, whose holder may type any address, the owner of that address is mailed the
    invitation (``invite_link``) to accept by signing in, and the caller answers exactly as for
    a new account, so the link cannot tell who has an account.  For an emailed invitation the
    address is the invited one, and the visitor is told to sign in.
    """
    if option_for(invitation, None) != Option.SIGN_IN:
        raise InvitationGone
    fixed = invitation.kind == Kind.EMAIL
    email = (invitation.email or "") if fixed else accounts.normalise_email(email)
    accounts.check_new_password(password, email, display_name)
    existing = accounts.find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # answer as slowly as a new account would
        if not fixed:
            _tell_owner(existing, circle, invitation, invite_link)
        raise accounts.AccountError("exists")
    password_hash = hash_password(password)  # slow: before any row is locked
    _check_care_recipient(invitation, circle)
    _use(invitation, None)  # first, so a lost race creates no account and sends no mail
    user = User(
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        email_verified_at=utcnow() if fixed else None,
    )
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same address registered a moment ago (PostgreSQL)
        raise accounts.AccountError("exists") from None
    invitation.accepted_by_id = user.id
    audit.record("account.registered", actor_id=user.id, **user.audit_subject)
    _record_accepted(invitation, circle, user)
    add_member(circle, user, invitation.role, via="invitation")
    if not fixed:
        try:
            accounts.send_verification(user)
        except ValueError:
            # An address the mail library cannot carry: the account and membership stand, and
            # the banner offers to send the link again.
            log.warning("Could not queue the confirmation email")
    return user


def _tell_owner(user: User, circle: Circle, invitation: Invitation, invite_link: str) -> None:
    mail.send_template(
        user.email,
        "Someone tried to join a care circle on CareTeam with your address",
        "invitation_existing_account",
        user=user,
        circle_name=circle.name,
        role=role_label(invitation.role),
        link=invite_link,
        expires=format_expiry(invitation.expires_at, circle.time_zone),
        reset_url=accounts.external_url("auth.forgot_password"),
    )
